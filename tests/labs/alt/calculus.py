"""Another idiom: CS231n's in-place probe (restored exactly) and a preallocated trajectory."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old  # restore
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad


def gradient_descent(grad_fn, x0, lr, steps):
    traj = np.empty((steps + 1, *np.shape(x0)), dtype=np.float64)
    traj[0] = x0
    for t in range(steps):
        traj[t + 1] = traj[t] - lr * grad_fn(traj[t])
    return traj[-1].copy(), list(traj)
