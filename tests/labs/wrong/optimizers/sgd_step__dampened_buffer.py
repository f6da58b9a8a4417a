"""Bug: an exponential moving average buf <- momentum * buf + (1 - momentum) * g (Adam's m),
which shrinks every step by 1 - momentum compared with torch's SGD."""

import torch


def sgd_step(params, grads, state, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    bufs = state.setdefault("buf", [torch.zeros_like(p) for p in params])
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        g = g + weight_decay * p
        if momentum:
            bufs[i] = momentum * bufs[i] + (1 - momentum) * g
            g = g + momentum * bufs[i] if nesterov else bufs[i]
        new.append(p - lr * g)
    return new
