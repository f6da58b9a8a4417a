"""Bug: v <- alpha * v + g^2, without the (1 - alpha) factor on the new squared gradient."""

import torch


def rmsprop_step(params, grads, state, lr, alpha=0.99, eps=1e-8):
    vs = state.setdefault("v", [torch.zeros_like(p) for p in params])
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        vs[i] = alpha * vs[i] + g * g
        new.append(p - lr * g / (vs[i].sqrt() + eps))
    return new
