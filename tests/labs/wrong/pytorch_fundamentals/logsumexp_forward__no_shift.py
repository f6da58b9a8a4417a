"""Bug: the naive formula log(sum(exp(x))), which overflows to inf for x ~ 1e3."""

import torch


def logsumexp_forward(ctx, x):
    out = torch.log(torch.exp(x).sum(-1))
    ctx.save_for_backward(x, out)
    return out
