"""Bug: appends a column of ones and penalises it like every weight, so ridge shrinks the
bias too."""

import numpy as np


def least_squares(X, y, l2=0.0):
    Xa = np.hstack([X, np.ones((len(X), 1))])  # (n, d + 1)
    wa = np.linalg.solve(Xa.T @ Xa + l2 * np.eye(Xa.shape[1]), Xa.T @ y)
    return wa[:-1], float(wa[-1])
