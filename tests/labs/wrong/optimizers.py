"""A deliberately wrong solution: momentum that always uses the Nesterov look-ahead,
RMSprop without the (1 - alpha) factor, and Adam without bias correction."""

import torch


def sgd_step(params, grads, state, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    bufs = state.setdefault("buf", [None] * len(params))
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        g = g + weight_decay * p
        if momentum:
            bufs[i] = g.clone() if bufs[i] is None else momentum * bufs[i] + g
            g = g + momentum * bufs[i]  # bug: Nesterov direction even when nesterov=False
        new.append(p - lr * g)
    return new


def rmsprop_step(params, grads, state, lr, alpha=0.99, eps=1e-8):
    vs = state.setdefault("v", [torch.zeros_like(p) for p in params])
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        vs[i] = alpha * vs[i] + g * g  # bug: missing (1 - alpha)
        new.append(p - lr * g / (vs[i].sqrt() + eps))
    return new


def adam_step(params, grads, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              decoupled=False):
    b1, b2 = betas
    ms = state.setdefault("m", [torch.zeros_like(p) for p in params])
    vs = state.setdefault("v", [torch.zeros_like(p) for p in params])
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        ms[i] = b1 * ms[i] + (1 - b1) * g
        vs[i] = b2 * vs[i] + (1 - b2) * g * g
        new.append(p - lr * ms[i] / (vs[i].sqrt() + eps))  # bug: no bias correction
    return new
