"""Bug: tril(diagonal=1): each token also sees the next one."""

import torch


def causal_mask(t):
    return torch.ones(t, t, dtype=torch.bool).tril(diagonal=1)
