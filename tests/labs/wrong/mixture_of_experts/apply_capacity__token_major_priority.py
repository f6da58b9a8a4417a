"""Bug: hands out slots token by token (token 0's two choices, then token 1's), so second
choices of early tokens push out first choices of later ones."""

import torch


def apply_capacity(experts, num_experts, capacity):
    n, k = experts.shape
    keep = torch.zeros(n, k, dtype=torch.bool)
    load = [0] * num_experts
    for t in range(n):
        for j in range(k):
            e = int(experts[t, j])
            if load[e] < capacity:
                load[e] += 1
                keep[t, j] = True
    return keep
