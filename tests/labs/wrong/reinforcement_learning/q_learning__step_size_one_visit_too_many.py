"""Bug: alpha = 1 / (n + 1)^0.6 with n already counting this update, one visit too many (the
first update has alpha 0.66 instead of 1)."""

import numpy as np


def q_learning(env, episodes, gamma, epsilon, rng, max_steps=100):
    Q = np.zeros((env.n_states, env.n_actions))
    visits = np.zeros_like(Q)
    for _ in range(episodes):
        s = env.reset(rng)
        for _ in range(max_steps):
            a = int(rng.integers(env.n_actions)) if rng.random() < epsilon else int(np.argmax(Q[s]))
            s2, r, done = env.step(s, a, rng)
            target = r if done else r + gamma * Q[s2].max()
            Q[s, a] += (target - Q[s, a]) / (visits[s, a] + 2) ** 0.6
            visits[s, a] += 1
            s = s2
            if done:
                break
    return Q
