"""Bug: KV heads repeated with .repeat (head h gets KV head h % KV), not grouped."""

import math

import torch


def gqa_attention(q, k, v, q_pos, k_pos, window=None):
    k, v = (t.repeat(1, q.shape[1] // t.shape[1], 1, 1) for t in (k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    allowed = k_pos[None, :] <= q_pos[:, None]
    if window is not None:
        allowed &= (q_pos[:, None] - k_pos[None, :]) < window
    return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v
