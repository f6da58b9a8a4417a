"""Bug: sqrt(v + eps) where torch divides by sqrt(v) + eps."""

import torch


def rmsprop_step(params, grads, state, lr, alpha=0.99, eps=1e-8):
    vs = state.setdefault("v", [torch.zeros_like(p) for p in params])
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        vs[i] = alpha * vs[i] + (1 - alpha) * g * g
        new.append(p - lr * g / torch.sqrt(vs[i] + eps))
    return new
