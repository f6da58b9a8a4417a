"""A deliberately wrong solution: value iteration that averages over actions (it evaluates
the uniformly random policy instead of the best one), and Q-learning that bootstraps from
the current state instead of the next one."""

import numpy as np


def value_iteration(P, R, gamma, tol):
    V = np.zeros(P.shape[0])
    while True:
        Q = R + gamma * P @ V
        V_new = Q.mean(1)  # bug: mean over actions, not max
        if np.max(np.abs(V_new - V)) < tol:
            return V_new, Q.argmax(1)
        V = V_new


def q_learning(env, episodes, gamma, epsilon, rng, max_steps=100):
    Q = np.zeros((env.n_states, env.n_actions))
    visits = np.zeros_like(Q)
    for _ in range(episodes):
        s = env.reset(rng)
        for _ in range(max_steps):
            a = int(rng.integers(env.n_actions)) if rng.random() < epsilon else int(np.argmax(Q[s]))
            s2, r, done = env.step(s, a, rng)
            visits[s, a] += 1
            target = r if done else r + gamma * Q[s].max()  # bug: Q[s], should be Q[s2]
            Q[s, a] += (target - Q[s, a]) / visits[s, a] ** 0.6
            s = s2
            if done:
                break
    return Q
