"""Bug: the window argument is never used: plain causal attention."""

import math

import torch


def gqa_attention(q, k, v, q_pos, k_pos, window=None):
    k, v = (t.repeat_interleave(q.shape[1] // t.shape[1], dim=1) for t in (k, v))  # (B, H, Tk, hd)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    allowed = k_pos[None, :] <= q_pos[:, None]
    return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v
