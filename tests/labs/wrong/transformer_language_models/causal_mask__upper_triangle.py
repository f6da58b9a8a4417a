"""Bug: triu instead of tril: each token sees itself and the future, not the past."""

import torch


def causal_mask(t):
    return torch.ones(t, t, dtype=torch.bool).triu()
