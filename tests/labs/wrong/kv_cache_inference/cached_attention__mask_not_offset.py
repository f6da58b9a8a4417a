"""Bug: the causal mask is aligned to the top-left (query i sees keys <= i), ignoring the P
cached positions before the new queries: fine for a first prefill, wrong after it."""

import math

import torch


def cached_attention(q, k_new, v_new, k_cache, v_cache):
    k_all = torch.cat([k_cache, k_new], dim=2)
    v_all = torch.cat([v_cache, v_new], dim=2)
    t, s = q.shape[2], k_all.shape[2]
    scores = q @ k_all.transpose(-2, -1) / math.sqrt(q.shape[-1])
    mask = torch.ones(t, s, dtype=torch.bool).tril()
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v_all, k_all, v_all
