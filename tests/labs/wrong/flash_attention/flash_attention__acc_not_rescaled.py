"""Bug: the running sum l is rescaled when the max grows, but the output accumulator is not."""

import math

import torch


def flash_attention(q, k, v, causal=False, block_q=32, block_k=32):
    b, h, tq, d = q.shape
    out, lse = torch.empty_like(q), q.new_empty(b, h, tq)
    for qs in range(0, tq, block_q):
        qb = q[:, :, qs:qs + block_q] / math.sqrt(d)
        rows = torch.arange(qs, qs + qb.shape[2])
        m = q.new_full((b, h, qb.shape[2]), float("-inf"))
        l_sum = q.new_zeros(b, h, qb.shape[2])
        acc = torch.zeros_like(qb)
        for ks in range(0, min(k.shape[2], qs + qb.shape[2]) if causal else k.shape[2], block_k):
            s = qb @ k[:, :, ks:ks + block_k].transpose(-2, -1)
            if causal:
                cols = torch.arange(ks, ks + s.shape[-1])
                s = s.masked_fill(cols[None, :] > rows[:, None], float("-inf"))
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            l_sum = l_sum * torch.exp(m - m_new) + p.sum(dim=-1)
            acc = acc + p @ v[:, :, ks:ks + block_k]
            m = m_new
        out[:, :, qs:qs + block_q] = acc / l_sum[..., None]
        lse[:, :, qs:qs + block_q] = m + torch.log(l_sum)
    return out, lse
