"""Bug: returns d out / d x (the softmax) without multiplying by grad_out."""

import torch


def logsumexp_backward(ctx, grad_out):
    x, out = ctx.saved_tensors
    return torch.exp(x - out[..., None])
