"""Bug: calls torch.logsumexp, the very operation the exercise asks to build from max, exp,
sum and log."""

import torch


def logsumexp_forward(ctx, x):
    out = torch.logsumexp(x, dim=-1)
    ctx.save_for_backward(x, out)
    return out
