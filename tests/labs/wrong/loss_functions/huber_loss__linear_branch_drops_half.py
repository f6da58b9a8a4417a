"""Bug: the linear branch is delta * (|r| - delta) instead of delta * (|r| - delta / 2)."""

import torch


def huber_loss(pred, target, delta=1.0):
    r = (pred - target).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - delta)).mean()
