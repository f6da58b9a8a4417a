"""Bug: ignores the training flag: drops units at test time too."""

import torch


def dropout(x, p, training):
    if p == 0.0:
        return x
    keep = (torch.rand_like(x) >= p).to(x.dtype)
    return x * keep / (1.0 - p)
