"""Bug: weights only the true-class term by w_y; the label-smoothing term sums -log p over
the classes without their weights w_c."""

import torch


def cross_entropy_loss(logits, target, weight=None, ignore_index=-100, label_smoothing=0.0):
    keep = target != ignore_index
    z, y = logits[keep], target[keep]
    C = z.shape[1]
    w = torch.ones(C, dtype=z.dtype, device=z.device) if weight is None else weight
    logp = torch.log_softmax(z, dim=1)
    rows = torch.arange(len(y))
    nll = -(w[y] * logp[rows, y]).sum()
    smooth = -logp.sum(1).mean() * len(y) / C  # unweighted: sum_c -log p_c / C per row
    return ((1 - label_smoothing) * nll + label_smoothing * smooth) / w[y].sum()
