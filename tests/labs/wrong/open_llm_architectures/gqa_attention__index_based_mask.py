"""Bug: the causal mask is tril(ones(Tq, Tk)) on row/column indices, which is right only
when Tq = Tk: with a KV cache the one new query sees only the first key."""

import math

import torch


def gqa_attention(q, k, v, q_pos, k_pos, window=None):
    k, v = (t.repeat_interleave(q.shape[1] // t.shape[1], dim=1) for t in (k, v))  # (B, H, Tk, hd)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    Tq, Tk = q.shape[2], k.shape[2]
    allowed = torch.ones(Tq, Tk, dtype=torch.bool, device=q.device).tril()
    if window is not None:
        allowed &= ~torch.ones(Tq, Tk, dtype=torch.bool, device=q.device).tril(-window)
    return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v
