"""Bug: sums exp(x) block by block without subtracting a max: exp(1e4) overflows to inf."""

import torch


def online_logsumexp(x, block):
    s = torch.zeros(x.shape[:-1], dtype=x.dtype)
    for start in range(0, x.shape[-1], block):
        s = s + torch.exp(x[..., start:start + block]).sum(dim=-1)
    return torch.log(s)
