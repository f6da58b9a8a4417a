"""Bug: not tiled at all: builds the whole (Tq, Tk) score matrix, masks it and takes a softmax."""

import math

import torch


def flash_attention(q, k, v, causal=False, block_q=32, block_k=32):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        s = s.masked_fill(torch.ones_like(s, dtype=torch.bool).triu(1), float("-inf"))
    lse = torch.logsumexp(s, dim=-1)
    return torch.exp(s - lse[..., None]) @ v, lse
