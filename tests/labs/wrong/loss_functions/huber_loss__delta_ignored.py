"""Bug: hard-codes the threshold 1.0 and ignores the delta argument."""

import torch


def huber_loss(pred, target, delta=1.0):
    r = (pred - target).abs()
    return torch.where(r <= 1.0, 0.5 * r**2, r - 0.5).mean()
