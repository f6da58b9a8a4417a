"""Bug: leaves gamma out of the Bellman update (it still converges here, because every
episode ends in the goal or the pit, but to the undiscounted values)."""

import numpy as np


def value_iteration(P, R, gamma, tol):
    V = np.zeros(P.shape[0])
    while True:
        Q = R + P @ V  # should be R + gamma * P @ V
        V_new = Q.max(1)
        if np.max(np.abs(V_new - V)) < tol:
            return V_new, Q.argmax(1)
        V = V_new
