"""Bug: nn.MultiheadAttention's convention (True = blocked) used for a True = may-attend
mask."""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, -1e9)  # a large negative, so no row is all -inf
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
