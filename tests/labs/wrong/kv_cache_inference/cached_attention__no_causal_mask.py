"""Bug: no causal mask ("a single decode token may see the whole cache anyway"), so during
prefill every prompt token also sees the tokens after it."""

import math

import torch


def cached_attention(q, k_new, v_new, k_cache, v_cache):
    k_all = torch.cat([k_cache, k_new], dim=2)
    v_all = torch.cat([v_cache, v_new], dim=2)
    scores = q @ k_all.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v_all, k_all, v_all
