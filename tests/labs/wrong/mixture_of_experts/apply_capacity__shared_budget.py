"""Bug: one budget for all experts together (capacity * E pairs in total), not one per expert."""

import torch


def apply_capacity(experts, num_experts, capacity):
    n, k = experts.shape
    keep = torch.zeros(n, k, dtype=torch.bool)
    used = 0
    for j in range(k):
        for t in range(n):
            if used < capacity * num_experts:
                used += 1
                keep[t, j] = True
    return keep
