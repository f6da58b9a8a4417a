"""Bug: topk(largest=True) removes the largest magnitudes, the weights that matter most."""

import torch


def magnitude_mask(weight, sparsity):
    k = round(sparsity * weight.numel())
    mask = torch.ones_like(weight)
    if k > 0:
        idx = torch.topk(weight.abs().flatten(), k, largest=True).indices
        mask.view(-1)[idx] = 0
    return mask
