"""Bug: multiplies the rows by the weights themselves instead of their square roots, which
squares every weight (a kernel twice as narrow)."""

import numpy as np


def lime_explain(f, x, scale, n_samples, kernel_width, rng):
    eps = rng.normal(size=(n_samples, x.shape[0]))
    z = x + eps * scale
    w = np.exp(-(eps**2).sum(1) / kernel_width**2)
    X = np.hstack([np.ones((n_samples, 1)), z - x])
    beta, *_ = np.linalg.lstsq(X * w[:, None], f(z) * w, rcond=None)
    return beta[0], beta[1:]
