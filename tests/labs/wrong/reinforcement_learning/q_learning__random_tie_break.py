"""Bug: breaks ties between equally good actions at random instead of taking the lowest
index, so the run depends on extra random draws."""

import numpy as np


def q_learning(env, episodes, gamma, epsilon, rng, max_steps=100):
    Q = np.zeros((env.n_states, env.n_actions))
    visits = np.zeros_like(Q)
    for _ in range(episodes):
        s = env.reset(rng)
        for _ in range(max_steps):
            if rng.random() < epsilon:
                a = int(rng.integers(env.n_actions))
            else:
                best = np.flatnonzero(Q[s] == Q[s].max())
                a = int(rng.choice(best))
            s2, r, done = env.step(s, a, rng)
            visits[s, a] += 1
            target = r if done else r + gamma * Q[s2].max()
            Q[s, a] += (target - Q[s, a]) / visits[s, a] ** 0.6
            s = s2
            if done:
                break
    return Q
