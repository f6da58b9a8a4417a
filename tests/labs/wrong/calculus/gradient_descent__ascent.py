"""Bug: steps along the gradient (ascent) instead of against it."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    x, path = x0.astype(np.float64).copy(), [x0.astype(np.float64).copy()]
    for _ in range(steps):
        x = x + lr * grad_fn(x)
        path.append(x.copy())
    return x, path
