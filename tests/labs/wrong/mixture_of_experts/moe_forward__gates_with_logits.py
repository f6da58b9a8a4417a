"""Bug: weights each expert's output by the router's raw top-k logits instead of their
(renormalised) softmax probabilities."""

import torch
from mixture_of_experts import capacity_oracle


def moe_forward(x, router_weight, experts, k, capacity=None):
    weights, chosen = (x @ router_weight.T).topk(k, dim=-1)
    keep = (torch.ones_like(chosen, dtype=torch.bool) if capacity is None
            else capacity_oracle(chosen, len(experts), capacity))
    out = torch.zeros_like(x)
    for i, expert in enumerate(experts):
        tok, slot = torch.where((chosen == i) & keep)
        if len(tok):
            out.index_add_(0, tok, weights[tok, slot, None] * expert(x[tok]))
    return out
