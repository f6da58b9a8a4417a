"""Another idiom: value iteration with einsum and a max-norm loop, and Q-learning in float32
with a per-pair step counter dictionary and an explicit first-maximum tie-break."""

from collections import defaultdict

import numpy as np


def value_iteration(P, R, gamma, tol):
    V = np.zeros(len(P))
    delta = np.inf
    while delta >= tol:
        Q = R + gamma * np.einsum("sat,t->sa", P, V)
        V_new = Q.max(axis=1)
        delta = np.abs(V_new - V).max()
        V = V_new
    return V, np.argmax(Q, axis=1)


def q_learning(env, episodes, gamma, epsilon, rng, max_steps=100):
    Q = np.zeros((env.n_states, env.n_actions), dtype=np.float32)
    n = defaultdict(int)
    for _ in range(episodes):
        s = env.reset(rng)
        for _ in range(max_steps):
            if rng.random() < epsilon:
                a = int(rng.integers(env.n_actions))
            else:
                a = next(i for i, q in enumerate(Q[s]) if q == Q[s].max())  # first maximum
            s_next, r, done = env.step(s, a, rng)
            n[s, a] += 1
            td_target = r + (0.0 if done else gamma * Q[s_next].max())
            Q[s, a] += (td_target - Q[s, a]) / n[s, a] ** 0.6
            s = s_next
            if done:
                break
    return Q
