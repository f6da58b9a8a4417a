"""Bug: f_i counts only each token's top-1 expert, even when tokens go to k = 2 experts."""

import torch


def load_balancing_loss(logits, k):
    n, e = logits.shape
    probs = torch.softmax(logits, dim=-1)
    f = torch.bincount(probs.argmax(dim=-1), minlength=e).float() / n
    return e * (f * probs.mean(dim=0)).sum()
