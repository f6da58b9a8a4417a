"""Bug: the mask is shaped (B, t, 1), so it hides padded queries instead of padded keys."""

import torch


def padding_mask(lengths, t):
    return (torch.arange(t)[None, :] < lengths[:, None])[:, :, None]
