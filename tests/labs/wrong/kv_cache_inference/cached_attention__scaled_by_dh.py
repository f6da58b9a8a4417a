"""Bug: divides the scores by dh instead of sqrt(dh)."""

import torch


def cached_attention(q, k_new, v_new, k_cache, v_cache):
    k_all = torch.cat([k_cache, k_new], dim=2)
    v_all = torch.cat([v_cache, v_new], dim=2)
    p, t = k_cache.shape[2], q.shape[2]
    scores = q @ k_all.transpose(-2, -1) / q.shape[-1]
    mask = torch.ones(t, p + t, dtype=torch.bool).tril(diagonal=p)
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v_all, k_all, v_all
