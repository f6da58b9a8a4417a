"""Bug: compares the signed residual with delta, so every negative residual, however large,
stays in the quadratic branch."""

import torch


def huber_loss(pred, target, delta=1.0):
    r = pred - target  # should be |pred - target|
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)).mean()
