"""Bug: samples with numpy's global generator instead of the rng it is given."""

import numpy as np


def random_search(objective, bounds, n_trials, rng, stop_at=None):
    trials = []
    for _ in range(n_trials):
        params = {n: float(np.random.uniform(lo, hi)) for n, (lo, hi) in bounds.items()}
        trials.append((params, objective(params)))
        if stop_at is not None and trials[-1][1] <= stop_at:
            break
    return trials
