"""Bug: steps along the gradient, p + lr * direction, instead of against it."""


def sgd_step(params, grads, state, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    bufs = state.setdefault("buf", [None] * len(params))
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        g = g + weight_decay * p
        if momentum:
            bufs[i] = g.clone() if bufs[i] is None else momentum * bufs[i] + g
            g = g + momentum * bufs[i] if nesterov else bufs[i]
        new.append(p + lr * g)
    return new
