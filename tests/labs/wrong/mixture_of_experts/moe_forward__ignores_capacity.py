"""Bug: routes correctly but never applies the capacity, so no pair is dropped."""

import torch


def moe_forward(x, router_weight, experts, k, capacity=None):
    top, chosen = torch.softmax(x @ router_weight.T, dim=-1).topk(k, dim=-1)
    weights = top / top.sum(dim=-1, keepdim=True)
    out = torch.zeros_like(x)
    for i, expert in enumerate(experts):
        tok, slot = torch.where(chosen == i)
        if len(tok):
            out.index_add_(0, tok, weights[tok, slot, None] * expert(x[tok]))
    return out
