"""Bug: averages over the actions instead of maximising, which evaluates the uniformly random
policy instead of finding the best one."""

import numpy as np


def value_iteration(P, R, gamma, tol):
    V = np.zeros(P.shape[0])
    while True:
        Q = R + gamma * P @ V
        V_new = Q.mean(1)
        if np.max(np.abs(V_new - V)) < tol:
            return V_new, Q.argmax(1)
        V = V_new
