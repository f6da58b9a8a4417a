"""Bug: when the running max grows, the old running sum is not rescaled by exp(m - m_new)."""

import torch


def online_logsumexp(x, block):
    m = torch.full(x.shape[:-1], float("-inf"), dtype=x.dtype)
    s = torch.zeros(x.shape[:-1], dtype=x.dtype)
    for start in range(0, x.shape[-1], block):
        xb = x[..., start:start + block]
        m_new = torch.maximum(m, xb.amax(dim=-1))
        s = s + torch.exp(xb - m_new[..., None]).sum(dim=-1)
        m = m_new
    return m + torch.log(s)
