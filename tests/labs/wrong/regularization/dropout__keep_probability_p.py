"""Bug: keeps an element with probability p instead of dropping it with probability p."""

import torch


def dropout(x, p, training):
    if not training or p == 0.0:
        return x
    keep = (torch.rand_like(x) < p).to(x.dtype)
    return x * keep / (1.0 - p)
