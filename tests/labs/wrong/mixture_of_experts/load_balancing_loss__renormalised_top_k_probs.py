"""Bug: P_i averages the renormalised top-k routing weights (zero for unchosen experts)
instead of the full softmax probability of every expert."""

import torch


def load_balancing_loss(logits, k):
    n, e = logits.shape
    probs = torch.softmax(logits, dim=-1)
    top, idx = probs.topk(k, dim=-1)
    weights = torch.zeros_like(probs).scatter(1, idx, top / top.sum(-1, keepdim=True))
    f = torch.zeros(e).scatter_add_(0, idx.reshape(-1), torch.ones(n * k)) / n
    return e * (f * weights.mean(dim=0)).sum()
