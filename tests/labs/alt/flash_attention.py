"""Another idiom: merge per-block logsumexps with torch.logaddexp, and FlashAttention-1's loop
order (outer loop over key/value tiles, inner over query tiles) with einsum and full-length
running statistics, as in the paper's Algorithm 1."""

import math

import torch


def online_logsumexp(x, block):
    total = torch.full(x.shape[:-1], -math.inf, dtype=x.dtype)
    for chunk in torch.split(x, block, dim=-1):
        mx = chunk.max(dim=-1).values
        chunk_lse = mx + torch.log(torch.exp(chunk - mx.unsqueeze(-1)).sum(-1))
        total = torch.logaddexp(total, chunk_lse)
    return total


def flash_attention(q, k, v, causal=False, block_q=32, block_k=32):
    B, H, N, d = q.shape
    M = k.shape[2]
    Out = torch.zeros_like(q)
    ell = torch.zeros(B, H, N, dtype=q.dtype)
    m = torch.full((B, H, N), -math.inf, dtype=q.dtype)
    for j in range(0, M, block_k):
        Kj, Vj = k[:, :, j:j + block_k], v[:, :, j:j + block_k]
        for i in range(0, N, block_q):
            if causal and i + block_q - 1 < j:  # every query of this tile is before every key
                continue
            Qi = q[:, :, i:i + block_q]
            S = torch.einsum("bhid,bhjd->bhij", Qi, Kj) * (1.0 / math.sqrt(d))
            if causal:
                qi = torch.arange(i, i + Qi.shape[2]).view(-1, 1)
                kj = torch.arange(j, j + Kj.shape[2]).view(1, -1)
                S = torch.where(kj <= qi, S, torch.tensor(-math.inf))
            m_old, l_old = m[:, :, i:i + block_q], ell[:, :, i:i + block_q]
            m_new = torch.maximum(m_old, S.max(dim=-1).values)
            P = torch.exp(S - m_new.unsqueeze(-1))
            corr = torch.exp(m_old - m_new)
            ell[:, :, i:i + block_q] = corr * l_old + P.sum(-1)
            Out[:, :, i:i + block_q] = (corr.unsqueeze(-1) * Out[:, :, i:i + block_q]
                                      + torch.einsum("bhij,bhjd->bhid", P, Vj))
            m[:, :, i:i + block_q] = m_new
    return Out / ell.unsqueeze(-1), m + torch.log(ell)
