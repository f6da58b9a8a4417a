"""Bug: measures the distance ||z - x|| in the features' own units instead of in units of
scale, so the kernel's width depends on how the features happen to be scaled."""

import numpy as np


def lime_explain(f, x, scale, n_samples, kernel_width, rng):
    eps = rng.normal(size=(n_samples, x.shape[0]))
    z = x + eps * scale
    w = np.exp(-((z - x) ** 2).sum(1) / kernel_width**2)
    X = np.hstack([np.ones((n_samples, 1)), z - x])
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], f(z) * sw, rcond=None)
    return beta[0], beta[1:]
