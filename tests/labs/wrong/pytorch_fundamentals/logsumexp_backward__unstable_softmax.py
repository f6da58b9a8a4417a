"""Bug: recomputes the softmax as exp(x) / sum(exp(x)), which is nan for x ~ 1e3."""

import torch


def logsumexp_backward(ctx, grad_out):
    x, _ = ctx.saved_tensors
    e = torch.exp(x)
    return grad_out[..., None] * e / e.sum(-1, keepdim=True)
