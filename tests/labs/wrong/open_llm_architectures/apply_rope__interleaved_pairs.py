"""Bug: pairs neighbours (2i, 2i+1) as Meta's original code does, not i with i + hd/2."""

import torch


def apply_rope(x, positions, theta: float = 10000.0):
    hd = x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, hd, 2, dtype=torch.float64, device=x.device) / hd)
    ang = positions.to(torch.float64)[:, None] * inv_freq[None, :]  # (T, hd/2)
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2], out[..., 1::2] = x1 * cos - x2 * sin, x2 * cos + x1 * sin
    return out
