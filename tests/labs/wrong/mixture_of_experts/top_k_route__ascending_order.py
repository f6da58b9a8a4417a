"""Bug: takes the last k of an ascending argsort, so the best expert comes last, not first."""

import torch


def top_k_route(logits, k):
    probs = torch.softmax(logits, dim=-1)
    idx = probs.argsort(dim=-1)[:, -k:]
    top = probs.gather(-1, idx)
    return top / top.sum(dim=-1, keepdim=True), idx
