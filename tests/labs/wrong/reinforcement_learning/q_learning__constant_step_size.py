"""Bug: a constant step size alpha = 0.1 instead of 1 / n^0.6."""

import numpy as np


def q_learning(env, episodes, gamma, epsilon, rng, max_steps=100):
    Q = np.zeros((env.n_states, env.n_actions))
    for _ in range(episodes):
        s = env.reset(rng)
        for _ in range(max_steps):
            a = int(rng.integers(env.n_actions)) if rng.random() < epsilon else int(np.argmax(Q[s]))
            s2, r, done = env.step(s, a, rng)
            target = r if done else r + gamma * Q[s2].max()
            Q[s, a] += 0.1 * (target - Q[s, a])
            s = s2
            if done:
                break
    return Q
