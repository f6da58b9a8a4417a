"""Bug: loops over tokens and calls each chosen expert on one row at a time: right numbers,
but N * k tiny expert calls instead of one batched call per expert."""

import torch
from mixture_of_experts import capacity_oracle


def moe_forward(x, router_weight, experts, k, capacity=None):
    top, chosen = torch.softmax(x @ router_weight.T, dim=-1).topk(k, dim=-1)
    weights = top / top.sum(dim=-1, keepdim=True)
    keep = (torch.ones_like(chosen, dtype=torch.bool) if capacity is None
            else capacity_oracle(chosen, len(experts), capacity))
    out = torch.zeros_like(x)
    for t in range(x.shape[0]):
        for j in range(k):
            if keep[t, j]:
                out[t] += weights[t, j] * experts[int(chosen[t, j])](x[t:t + 1])[0]
    return out
