"""A deliberately wrong solution: MSE summed instead of averaged, cross-entropy without the
max shift (overflows for large logits), and a Huber linear branch that drops the 1/2."""

import torch


def mse_loss(pred, target):
    return ((pred - target) ** 2).sum()  # bug: wrong normaliser (sum, not mean)


def cross_entropy_loss(logits, target):
    lse = torch.log(torch.exp(logits).sum(1))  # bug: exp overflows for large logits
    return (lse - logits.gather(1, target[:, None]).squeeze(1)).mean()


def huber_loss(pred, target, delta=1.0):
    r = (pred - target).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - delta)).mean()  # bug: r - delta/2
