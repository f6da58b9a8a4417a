"""Bug: keeps the momentum buffer in a local variable, so it starts afresh on every call and
momentum never builds up."""


def sgd_step(params, grads, state, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    new = []
    for p, g in zip(params, grads, strict=True):
        g = g + weight_decay * p
        if momentum:
            buf = g.clone()  # should live in state between calls
            g = g + momentum * buf if nesterov else buf
        new.append(p - lr * g)
    return new
