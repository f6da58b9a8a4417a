"""Bug: multiplies by grad_out without a trailing axis, so on a square input it
broadcasts along the wrong dimension instead of failing."""

import torch


def logsumexp_backward(ctx, grad_out):
    x, out = ctx.saved_tensors
    return grad_out * torch.exp(x - out[..., None])
