"""Bug: the survivors are not scaled by 1 / (1 - p) (plain, not inverted, dropout)."""

import torch


def dropout(x, p, training):
    if not training or p == 0.0:
        return x
    keep = (torch.rand_like(x) >= p).to(x.dtype)
    return x * keep
