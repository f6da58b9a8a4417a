"""Bug: the codes are rounded but never cast to int8 (still float32: 4 bytes a weight)."""

import torch


def absmax_quantize(w):
    scale = w.abs().amax(dim=1) / 127
    return torch.round(w / scale[:, None]), scale
