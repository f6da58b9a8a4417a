"""Bug: scores divided by sqrt(d_model) instead of sqrt(d_head)."""

import math

import torch


def multi_head_attention(q, k, v, n_heads, mask=None):
    b, tq, d = q.shape
    tk, dh = k.shape[1], d // n_heads
    qh = q.view(b, tq, n_heads, dh).transpose(1, 2)
    kh = k.view(b, tk, n_heads, dh).transpose(1, 2)
    vh = v.view(b, tk, n_heads, dh).transpose(1, 2)
    scores = qh @ kh.transpose(-2, -1) / math.sqrt(d)
    if mask is not None:
        scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))
    w = torch.softmax(scores, dim=-1)
    out = (w @ vh).transpose(1, 2).reshape(b, tq, d)
    return out, w
