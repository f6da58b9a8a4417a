"""Bug: all sines in the first half and all cosines in the second (concatenated, as some
codebases do), not interleaved in even and odd columns as the docstring states."""

import math

import torch


def positional_encoding(length, d_model):
    position = torch.arange(length).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    return torch.cat([torch.sin(position * div_term), torch.cos(position * div_term)], dim=1)
