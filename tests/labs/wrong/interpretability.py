"""A deliberately wrong solution: Banzhaf weights 1/2^(M-1) instead of Shapley's, Kernel SHAP
without the efficiency constraint, and LIME coefficients left in perturbation units."""

import itertools

import numpy as np


def _values(f, x, background, masks):
    z = np.where(masks[:, None, :], x[None, None, :], background[None, :, :])
    return f(z.reshape(-1, x.shape[0])).reshape(len(masks), len(background)).mean(axis=1)


def exact_shapley(f, x, background):
    M = x.shape[0]
    masks = np.array(list(itertools.product([False, True], repeat=M)))
    v = dict(zip(map(tuple, masks), _values(f, x, background, masks), strict=True))
    phi = np.zeros(M)
    for S, vS in v.items():
        for i in range(M):
            if not S[i]:
                phi[i] += (v[S[:i] + (True,) + S[i + 1:]] - vS) / 2 ** (M - 1)  # Banzhaf
    return phi


def kernel_shap(f, x, background, n_coalitions=None, rng=None):
    M = x.shape[0]
    if n_coalitions is None:
        masks = np.array([m for m in itertools.product([False, True], repeat=M) if 0 < sum(m) < M])
    else:
        masks = rng.random((n_coalitions, M)) < 0.5
    y = _values(f, x, background, masks)
    A = np.hstack([np.ones((len(masks), 1)), masks.astype(float)])
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)  # no kernel weights, no sum constraint
    return beta[1:]


def lime_explain(f, x, scale, n_samples, kernel_width, rng):
    eps = rng.normal(size=(n_samples, x.shape[0]))
    w = np.exp(-(eps**2).sum(1) / kernel_width**2)
    X = np.hstack([np.ones((n_samples, 1)), eps])  # fitted in units of scale ...
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], f(x + eps * scale) * sw, rcond=None)
    return beta[0], beta[1:]  # ... and never divided by scale
