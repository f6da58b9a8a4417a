"""Bug: least squares on the log residuals instead of Hoffmann et al.'s Huber loss."""

import itertools
import math

import numpy as np
from scipy.optimize import minimize


def fit_chinchilla(N, D, L):
    lN, lD, lL = np.log(N), np.log(D), np.log(L)

    def objective(p):
        e, a, b, alpha, beta = p
        t = np.stack([a - alpha * lN, b - beta * lD, np.full_like(lN, e)])
        m = t.max(0)
        w = np.exp(t - m) / np.exp(t - m).sum(0)
        r = m + np.log(np.exp(t - m).sum(0)) - lL
        grad = np.array([(r * w[2]).sum(), (r * w[0]).sum(), (r * w[1]).sum(),
                         -(r * w[0] * lN).sum(), -(r * w[1] * lD).sum()])
        return 0.5 * float((r * r).sum()), grad

    grid = np.array(list(itertools.product(np.arange(-1, 1.6, 0.5), np.arange(0, 26, 5),
                                           np.arange(0, 26, 5), np.arange(0, 2.1, 0.5),
                                           np.arange(0, 2.1, 0.5))))
    values = [objective(p)[0] for p in grid]
    best = min((minimize(objective, grid[i], jac=True, method="L-BFGS-B",
                         options={"ftol": 1e-15, "gtol": 1e-15, "maxiter": 10000})
                for i in np.argsort(values)[:10]), key=lambda r: r.fun)
    e, a, b, alpha, beta = best.x
    return {"E": math.exp(e), "A": math.exp(a), "B": math.exp(b), "alpha": float(alpha),
            "beta": float(beta)}
