"""Bug: shifts by the row maximum but forgets to add it back."""

import torch


def logsumexp_forward(ctx, x):
    m = x.max(dim=-1, keepdim=True).values
    out = torch.log(torch.exp(x - m).sum(-1))
    ctx.save_for_backward(x, out)
    return out
