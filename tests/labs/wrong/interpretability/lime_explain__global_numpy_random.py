"""Bug: draws the perturbations from numpy's global generator instead of the rng it is
given."""

import numpy as np


def lime_explain(f, x, scale, n_samples, kernel_width, rng):
    eps = np.random.standard_normal((n_samples, x.shape[0]))
    z = x + eps * scale
    w = np.exp(-(eps**2).sum(1) / kernel_width**2)
    X = np.hstack([np.ones((n_samples, 1)), z - x])
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], f(z) * sw, rcond=None)
    return beta[0], beta[1:]
