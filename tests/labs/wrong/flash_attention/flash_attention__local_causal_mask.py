"""Bug: the causal mask compares positions inside the tile (j > i) instead of global positions
(ks + j > qs + i); it only works when block_q == block_k and tiles line up."""

import math

import torch


def flash_attention(q, k, v, causal=False, block_q=32, block_k=32):
    b, h, tq, d = q.shape
    out, lse = torch.empty_like(q), q.new_empty(b, h, tq)
    for qs in range(0, tq, block_q):
        qb = q[:, :, qs:qs + block_q] / math.sqrt(d)
        m = q.new_full((b, h, qb.shape[2]), float("-inf"))
        l_sum = q.new_zeros(b, h, qb.shape[2])
        acc = torch.zeros_like(qb)
        for ks in range(0, min(k.shape[2], qs + qb.shape[2]) if causal else k.shape[2], block_k):
            s = qb @ k[:, :, ks:ks + block_k].transpose(-2, -1)
            if causal and ks + s.shape[-1] > qs:  # a tile that touches the diagonal
                mask = torch.ones(s.shape[-2], s.shape[-1], dtype=torch.bool).triu(1)
                s = s.masked_fill(mask, float("-inf"))
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)
            l_sum = l_sum * alpha + p.sum(dim=-1)
            acc = acc * alpha[..., None] + p @ v[:, :, ks:ks + block_k]
            m = m_new
        out[:, :, qs:qs + block_q] = acc / l_sum[..., None]
        lse[:, :, qs:qs + block_q] = m + torch.log(l_sum)
    return out, lse
