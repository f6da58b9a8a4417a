"""Bug: samples alpha and gamma uniformly between 10**low and 10**high (linear scale), so
nearly every sample lands in the top decade."""

import numpy as np


def random_search(objective, bounds, n_trials, rng, stop_at=None):
    trials = []
    for _ in range(n_trials):
        params = {n: float(np.log10(rng.uniform(10.0**lo, 10.0**hi)))
                  for n, (lo, hi) in bounds.items()}
        trials.append((params, objective(params)))
        if stop_at is not None and trials[-1][1] <= stop_at:
            break
    return trials
