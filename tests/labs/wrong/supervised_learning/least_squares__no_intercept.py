"""Bug: solves the normal equations on the raw X and y and forgets the intercept."""

import numpy as np


def least_squares(X, y, l2=0.0):
    w = np.linalg.solve(X.T @ X + l2 * np.eye(X.shape[1]), X.T @ y)
    return w, 0.0
