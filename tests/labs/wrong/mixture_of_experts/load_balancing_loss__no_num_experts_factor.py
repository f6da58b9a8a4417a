"""Bug: forgets the factor E in E * sum_i f_i * P_i."""

import torch


def load_balancing_loss(logits, k):
    n, e = logits.shape
    probs = torch.softmax(logits, dim=-1)
    idx = probs.topk(k, dim=-1).indices
    f = torch.zeros(e).scatter_add_(0, idx.reshape(-1), torch.ones(n * k)) / n
    return (f * probs.mean(dim=0)).sum()
