"""Bug: contracts V with the wrong axis of P (the source state s instead of the next state
s2), so the expectation is not over where the agent lands."""

import numpy as np


def value_iteration(P, R, gamma, tol):
    V = np.zeros(P.shape[0])
    for _ in range(100000):
        Q = R + gamma * np.einsum("sat,s->ta", P, V)  # should be "sat,t->sa"
        V_new = Q.max(1)
        if np.max(np.abs(V_new - V)) < tol:
            break
        V = V_new
    return V_new, Q.argmax(1)
