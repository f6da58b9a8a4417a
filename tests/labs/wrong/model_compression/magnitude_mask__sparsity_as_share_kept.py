"""Bug: reads sparsity as the share of weights to keep, so 80 % sparsity prunes only 20 %."""

import torch


def magnitude_mask(weight, sparsity):
    keep = round(sparsity * weight.numel())
    threshold_idx = torch.topk(weight.abs().flatten(), keep).indices
    mask = torch.zeros_like(weight)
    mask.view(-1)[threshold_idx] = 1
    return mask
