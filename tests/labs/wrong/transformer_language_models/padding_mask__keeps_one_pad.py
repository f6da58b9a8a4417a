"""Bug: ``<=`` instead of ``<``: the first padding token stays visible."""

import torch


def padding_mask(lengths, t):
    return (torch.arange(t)[None, :] <= lengths[:, None])[:, None, :]
