"""Bug: starts the running mean at the first squared gradient instead of at 0."""


def rmsprop_step(params, grads, state, lr, alpha=0.99, eps=1e-8):
    vs = state.setdefault("v", [None] * len(params))
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        vs[i] = g * g if vs[i] is None else alpha * vs[i] + (1 - alpha) * g * g
        new.append(p - lr * g / (vs[i].sqrt() + eps))
    return new
