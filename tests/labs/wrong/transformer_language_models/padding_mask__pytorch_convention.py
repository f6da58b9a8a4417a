"""Bug: PyTorch's key_padding_mask convention (True = padding) where this lab's masks say
True = may attend."""

import torch


def padding_mask(lengths, t):
    return (torch.arange(t)[None, :] >= lengths[:, None])[:, None, :]
