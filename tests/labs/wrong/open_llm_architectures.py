"""A deliberately wrong solution: k/v projections counted with all heads and the lm_head
always counted, RoPE pairs (2i, 2i+1) (Meta's original layout, not Hugging Face's), and
KV heads repeated with .repeat (head h gets KV head h % KV) plus a window one step too wide."""

import math

import torch


def param_count(config):
    d, V, L = config.hidden_size, config.vocab_size, config.num_hidden_layers
    inter = getattr(config, "intermediate_size", None) or 4 * d
    mlp = (3 if config.model_type != "falcon" else 2) * d * inter
    return V * d + L * (4 * d * d + mlp + 2 * d) + d + V * d  # MHA shapes, untied head


def apply_rope(x, positions, theta=10000.0):
    hd = x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, hd, 2, dtype=torch.float64, device=x.device) / hd)
    ang = positions.to(torch.float64)[:, None] * inv_freq[None, :]
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    x1, x2 = x[..., 0::2], x[..., 1::2]  # interleaved pairs
    out = torch.empty_like(x)
    out[..., 0::2], out[..., 1::2] = x1 * cos - x2 * sin, x2 * cos + x1 * sin
    return out


def gqa_attention(q, k, v, q_pos, k_pos, window=None):
    group = q.shape[1] // k.shape[1]
    k, v = k.repeat(1, group, 1, 1), v.repeat(1, group, 1, 1)  # wrong head grouping
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    allowed = k_pos[None, :] <= q_pos[:, None]
    if window is not None:
        allowed &= (q_pos[:, None] - k_pos[None, :]) <= window  # W + 1 positions
    return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v
