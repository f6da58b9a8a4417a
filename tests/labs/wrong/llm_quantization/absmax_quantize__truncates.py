"""Bug: casting to int8 truncates toward zero instead of rounding to the nearest code."""

import torch


def absmax_quantize(w):
    scale = w.abs().amax(dim=1) / 127
    return (w / scale[:, None]).to(torch.int8), scale
