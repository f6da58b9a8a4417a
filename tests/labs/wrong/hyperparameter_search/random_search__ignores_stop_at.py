"""Bug: never stops early; it always spends all n_trials."""


def random_search(objective, bounds, n_trials, rng, stop_at=None):
    trials = []
    for _ in range(n_trials):
        params = {n: float(rng.uniform(lo, hi)) for n, (lo, hi) in bounds.items()}
        trials.append((params, objective(params)))
    return trials
