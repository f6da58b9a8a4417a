"""Bug: int() truncates the number to prune (3.5 -> 3), one weight fewer than prune's round."""

import torch


def magnitude_mask(weight, sparsity):
    k = int(sparsity * weight.numel())
    mask = torch.ones_like(weight)
    if k > 0:
        idx = torch.topk(weight.abs().flatten(), k, largest=False).indices
        mask.view(-1)[idx] = 0
    return mask
