"""Bug: divides the weighted sum by the number of rows instead of by the total weight of the
rows' classes."""

import torch


def cross_entropy_loss(logits, target, weight=None, ignore_index=-100, label_smoothing=0.0):
    keep = target != ignore_index
    z, y = logits[keep], target[keep]
    C = z.shape[1]
    w = torch.ones(C, dtype=z.dtype, device=z.device) if weight is None else weight
    logp = torch.log_softmax(z, dim=1)
    q = torch.full_like(z, label_smoothing / C)
    q[torch.arange(len(y)), y] += 1 - label_smoothing
    return -(q * w * logp).sum() / len(y)
