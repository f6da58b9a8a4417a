"""Bug: writes SmoothL1 (torch's smooth_l1_loss with beta = delta), which is Huber / delta:
the same only when delta = 1."""

import torch


def huber_loss(pred, target, delta=1.0):
    r = (pred - target).abs()
    return torch.where(r < delta, 0.5 * r**2 / delta, r - 0.5 * delta).mean()
