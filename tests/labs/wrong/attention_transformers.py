"""A deliberately wrong solution: scores scaled by d instead of sqrt(d), heads split with a
plain view (no transpose, so heads mix positions), and the encoding's exponent doubled."""

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1]  # should be sqrt(d)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias, num_heads, mask=None):
    B, Tq, E = query.shape
    Tk, hd = key.shape[1], E // num_heads
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q, b_k, b_v = in_proj_bias.chunk(3)
    q = (query @ w_q.T + b_q).reshape(B, num_heads, Tq, hd)  # no transpose: wrong split
    k = (key @ w_k.T + b_k).reshape(B, num_heads, Tk, hd)
    v = (value @ w_v.T + b_v).reshape(B, num_heads, Tk, hd)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    out = out.reshape(B, Tq, E)
    return out @ out_proj_weight.T + out_proj_bias, weights


def positional_encoding(length, d_model):
    pos = torch.arange(length, dtype=torch.float64)[:, None]
    i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = pos / 10000 ** (2 * i / d_model)  # i already steps by 2: exponent doubled
    pe = torch.zeros(length, d_model, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe
