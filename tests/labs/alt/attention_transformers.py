"""Another idiom: d2l's masked softmax (masked scores set to -1e6) and DotProductAttention,
its transpose_qkv / transpose_output head split, the projections as F.linear, and the PyTorch
tutorial's sinusoidal encoding computed in float32 (exp(-log(10000) 2i / d))."""

import math

import torch
from torch.nn import functional as F


def masked_softmax(X, mask):
    if mask is None:
        return F.softmax(X, dim=-1)
    X = torch.where(mask, X, torch.full_like(X, -1e6))
    return F.softmax(X, dim=-1)


def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
    attention_weights = masked_softmax(scores, mask)
    return torch.matmul(attention_weights, v), attention_weights


def transpose_qkv(X, num_heads):
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    return X.permute(0, 2, 1, 3)


def transpose_output(X, num_heads):
    X = X.permute(0, 2, 1, 3)
    return X.reshape(X.shape[0], X.shape[1], -1)


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias, num_heads, mask=None):
    W_q, W_k, W_v = torch.split(in_proj_weight, in_proj_weight.shape[0] // 3)
    b_q, b_k, b_v = torch.split(in_proj_bias, in_proj_bias.shape[0] // 3)
    queries = transpose_qkv(F.linear(query, W_q, b_q), num_heads)
    keys = transpose_qkv(F.linear(key, W_k, b_k), num_heads)
    values = transpose_qkv(F.linear(value, W_v, b_v), num_heads)
    output, attention_weights = scaled_dot_product_attention(queries, keys, values, mask)
    return F.linear(transpose_output(output, num_heads), out_proj_weight, out_proj_bias), \
        attention_weights


def positional_encoding(length, d_model):
    position = torch.arange(length).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(length, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
