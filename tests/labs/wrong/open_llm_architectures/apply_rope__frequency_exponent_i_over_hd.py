"""Bug: the frequencies use theta^(-i/hd) instead of theta^(-2i/hd)."""

import torch


def apply_rope(x, positions, theta: float = 10000.0):
    hd = x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, hd // 2, dtype=torch.float64, device=x.device) / hd)
    ang = positions.to(torch.float64)[:, None] * inv_freq[None, :]  # (T, hd/2)
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)
