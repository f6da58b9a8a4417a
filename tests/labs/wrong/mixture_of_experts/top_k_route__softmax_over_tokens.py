"""Bug: the softmax runs over the tokens (dim=0) instead of over the experts."""

import torch


def top_k_route(logits, k):
    top, idx = torch.softmax(logits, dim=0).topk(k, dim=-1)
    return top / top.sum(dim=-1, keepdim=True), idx
