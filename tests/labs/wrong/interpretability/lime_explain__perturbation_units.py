"""Bug: fits on the unit-scale noise eps instead of on z - x, so the coefficients come out
in perturbation units (scale times too large)."""

import numpy as np


def lime_explain(f, x, scale, n_samples, kernel_width, rng):
    eps = rng.normal(size=(n_samples, x.shape[0]))
    w = np.exp(-(eps**2).sum(1) / kernel_width**2)
    X = np.hstack([np.ones((n_samples, 1)), eps])
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], f(x + eps * scale) * sw, rcond=None)
    return beta[0], beta[1:]
