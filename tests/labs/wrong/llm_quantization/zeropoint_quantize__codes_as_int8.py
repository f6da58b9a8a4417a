"""Bug: the codes 0..255 are stored as torch.int8 (codes above 127 wrap to negatives)."""

import torch


def zeropoint_quantize(w):
    lo, hi = w.amin(dim=1).clamp(max=0), w.amax(dim=1).clamp(min=0)
    scale = (hi - lo) / 255
    zero = torch.round(-lo / scale)
    q = torch.round(w / scale[:, None]) + zero[:, None]
    return q.to(torch.int8), scale, zero
