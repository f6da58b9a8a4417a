"""Bug: heads split with a plain reshape to (B, heads, T, hd), so a "head" mixes positions."""

import math

import torch


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias, num_heads, mask=None):
    B, Tq, E = query.shape
    Tk, hd = key.shape[1], E // num_heads
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q, b_k, b_v = in_proj_bias.chunk(3)
    q = (query @ w_q.T + b_q).reshape(B, num_heads, Tq, hd)
    k = (key @ w_k.T + b_k).reshape(B, num_heads, Tk, hd)
    v = (value @ w_v.T + b_v).reshape(B, num_heads, Tk, hd)
    scores = q @ k.transpose(-2, -1) / math.sqrt(hd)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    out = (weights @ v).reshape(B, Tq, E)
    return out @ out_proj_weight.T + out_proj_bias, weights
