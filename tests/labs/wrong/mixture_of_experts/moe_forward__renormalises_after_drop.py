"""Bug: after dropping pairs, renormalises each token's kept weights to sum to 1."""

import torch
from mixture_of_experts import capacity_oracle


def moe_forward(x, router_weight, experts, k, capacity=None):
    top, chosen = torch.softmax(x @ router_weight.T, dim=-1).topk(k, dim=-1)
    weights = top / top.sum(dim=-1, keepdim=True)
    keep = (torch.ones_like(chosen, dtype=torch.bool) if capacity is None
            else capacity_oracle(chosen, len(experts), capacity))
    weights = weights * keep
    weights = weights / weights.sum(-1, keepdim=True).clamp_min(1e-9)
    out = torch.zeros_like(x)
    for i, expert in enumerate(experts):
        tok, slot = torch.where((chosen == i) & keep)
        if len(tok):
            out.index_add_(0, tok, weights[tok, slot, None] * expert(x[tok]))
    return out
