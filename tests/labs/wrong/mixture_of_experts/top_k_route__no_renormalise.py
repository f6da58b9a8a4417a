"""Bug: returns the chosen experts' softmax probabilities without renormalising them over k."""

import torch


def top_k_route(logits, k):
    top, idx = torch.softmax(logits, dim=-1).topk(k, dim=-1)
    return top, idx
