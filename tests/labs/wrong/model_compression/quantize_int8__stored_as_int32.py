"""Bug: the rounded values are kept as int32, four bytes each: nothing is saved."""

import torch


def quantize_int8(w):
    s = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127
    q = torch.round(w / s).clamp(-127, 127).to(torch.int32)
    return q, s.float()
