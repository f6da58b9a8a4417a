"""A deliberately wrong solution: the causal mask lets each token see one token ahead,
the padding mask keeps one pad token, and attention scales by sqrt(d_model), not sqrt(d_head)."""

import math

import torch


def causal_mask(t):
    return torch.ones(t, t, dtype=torch.bool).tril(diagonal=1)  # off by one: peeks at t+1


def padding_mask(lengths, t):
    return (torch.arange(t)[None, :] <= lengths[:, None])[:, None, :]  # <= keeps one pad


def multi_head_attention(q, k, v, n_heads, mask=None):
    b, tq, d = q.shape
    tk, dh = k.shape[1], d // n_heads
    qh = q.view(b, tq, n_heads, dh).transpose(1, 2)
    kh = k.view(b, tk, n_heads, dh).transpose(1, 2)
    vh = v.view(b, tk, n_heads, dh).transpose(1, 2)
    scores = qh @ kh.transpose(-2, -1) / math.sqrt(d)  # wrong scale: whole model width
    if mask is not None:
        scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))
    w = torch.softmax(scores, dim=-1)
    return (w @ vh).transpose(1, 2).reshape(b, tq, d), w
