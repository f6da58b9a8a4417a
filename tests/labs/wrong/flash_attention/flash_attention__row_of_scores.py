"""Bug: tiles the queries only: each block of queries gets a whole row of scores against every
key (block_q x Tk), which grows with T instead of staying one tile."""

import math

import torch


def flash_attention(q, k, v, causal=False, block_q=32, block_k=32):
    b, h, tq, d = q.shape
    out, lse = torch.empty_like(q), q.new_empty(b, h, tq)
    for qs in range(0, tq, block_q):
        s = q[:, :, qs:qs + block_q] @ k.transpose(-2, -1) / math.sqrt(d)  # (B, H, bq, Tk)
        if causal:
            rows = torch.arange(qs, qs + s.shape[2])
            s = s.masked_fill(torch.arange(s.shape[-1])[None, :] > rows[:, None], float("-inf"))
        row_lse = torch.logsumexp(s, dim=-1)
        out[:, :, qs:qs + block_q] = torch.exp(s - row_lse[..., None]) @ v
        lse[:, :, qs:qs + block_q] = row_lse
    return out, lse
