"""Bug: zeroes the loss of ignored rows but still counts them in the mean's denominator."""

import torch


def cross_entropy_loss(logits, target, weight=None, ignore_index=-100, label_smoothing=0.0):
    C = logits.shape[1]
    keep = (target != ignore_index).to(logits.dtype)  # (N,)
    y = torch.where(target == ignore_index, torch.zeros_like(target), target)
    w = torch.ones(C, dtype=logits.dtype, device=logits.device) if weight is None else weight
    logp = torch.log_softmax(logits, dim=1)
    q = torch.full_like(logits, label_smoothing / C)
    q[torch.arange(len(y)), y] += 1 - label_smoothing
    per_row = -(q * w * logp).sum(1) * keep
    return per_row.sum() / w[y].sum()  # the ignored rows' weights are still in the sum
