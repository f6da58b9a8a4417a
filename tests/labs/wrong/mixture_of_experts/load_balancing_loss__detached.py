"""Bug: computes the statistics under torch.no_grad(), so the loss cannot train the router."""

import torch


def load_balancing_loss(logits, k):
    n, e = logits.shape
    with torch.no_grad():
        probs = torch.softmax(logits, dim=-1)
        idx = probs.topk(k, dim=-1).indices
        f = torch.zeros(e).scatter_add_(0, idx.reshape(-1), torch.ones(n * k)) / n
        return e * (f * probs.mean(dim=0)).sum()
