"""Bug: the running max starts at 0 instead of -inf, so rows of large negative scores
underflow to exp(-1e4) = 0 and the result is -inf."""

import torch


def online_logsumexp(x, block):
    m = torch.zeros(x.shape[:-1], dtype=x.dtype)
    s = torch.zeros(x.shape[:-1], dtype=x.dtype)
    for start in range(0, x.shape[-1], block):
        xb = x[..., start:start + block]
        m_new = torch.maximum(m, xb.amax(dim=-1))
        s = s * torch.exp(m - m_new) + torch.exp(xb - m_new[..., None]).sum(dim=-1)
        m = m_new
    return m + torch.log(s)
