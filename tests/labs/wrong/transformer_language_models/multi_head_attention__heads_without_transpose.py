"""Bug: splits heads with a bare view (B, H, T, dh), mixing positions and heads."""

import math

import torch


def multi_head_attention(q, k, v, n_heads, mask=None):
    b, tq, d = q.shape
    tk, dh = k.shape[1], d // n_heads
    qh = q.reshape(b, n_heads, tq, dh)
    kh = k.reshape(b, n_heads, tk, dh)
    vh = v.reshape(b, n_heads, tk, dh)
    scores = qh @ kh.transpose(-2, -1) / math.sqrt(dh)
    if mask is not None:
        scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))
    w = torch.softmax(scores, dim=-1)
    out = (w @ vh).reshape(b, tq, d)
    return out, w
