"""Bug: the exponent uses the column index j / d instead of the pair's 2i / d."""

import torch


def positional_encoding(length, d_model):
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    j = torch.arange(d_model, dtype=torch.float32)
    angle = pos / 10000 ** (j / d_model)  # (T, d)
    pe = torch.zeros(length, d_model)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle[:, 0::2]), torch.cos(angle[:, 1::2])
    return pe
