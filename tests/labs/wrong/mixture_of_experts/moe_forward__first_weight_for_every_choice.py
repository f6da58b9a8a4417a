"""Bug: scales every chosen expert's output by the token's first weight."""

import torch
from mixture_of_experts import capacity_oracle


def moe_forward(x, router_weight, experts, k, capacity=None):
    top, chosen = torch.softmax(x @ router_weight.T, dim=-1).topk(k, dim=-1)
    weights = top / top.sum(dim=-1, keepdim=True)
    keep = (torch.ones_like(chosen, dtype=torch.bool) if capacity is None
            else capacity_oracle(chosen, len(experts), capacity))
    out = torch.zeros_like(x)
    for i, expert in enumerate(experts):
        tok, _slot = torch.where((chosen == i) & keep)
        if len(tok):
            out.index_add_(0, tok, weights[tok, 0, None] * expert(x[tok]))
    return out
