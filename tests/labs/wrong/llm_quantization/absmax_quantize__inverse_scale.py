"""Bug: returns 127 / max|w| (the factor that maps w onto the codes) as the scale."""

import torch


def absmax_quantize(w):
    scale = 127 / w.abs().amax(dim=1)
    return torch.round(w / scale[:, None]).to(torch.int8), scale
