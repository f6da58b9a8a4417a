"""Bug: updates x in place and appends x itself, so every path entry is the same array."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    x = x0.astype(np.float64).copy()
    path = [x]
    for _ in range(steps):
        x -= lr * grad_fn(x)
        path.append(x)
    return x, path
