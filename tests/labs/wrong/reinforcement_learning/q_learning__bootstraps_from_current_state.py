"""Bug: bootstraps from Q[s] (the state just left) instead of Q[s2] (the state reached)."""

import numpy as np


def q_learning(env, episodes, gamma, epsilon, rng, max_steps=100):
    Q = np.zeros((env.n_states, env.n_actions))
    visits = np.zeros_like(Q)
    for _ in range(episodes):
        s = env.reset(rng)
        for _ in range(max_steps):
            a = int(rng.integers(env.n_actions)) if rng.random() < epsilon else int(np.argmax(Q[s]))
            s2, r, done = env.step(s, a, rng)
            visits[s, a] += 1
            target = r if done else r + gamma * Q[s].max()
            Q[s, a] += (target - Q[s, a]) / visits[s, a] ** 0.6
            s = s2
            if done:
                break
    return Q
