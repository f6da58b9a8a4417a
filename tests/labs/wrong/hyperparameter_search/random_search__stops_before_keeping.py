"""Bug: checks stop_at before appending, so the trial that reached it is lost."""


def random_search(objective, bounds, n_trials, rng, stop_at=None):
    trials = []
    for _ in range(n_trials):
        params = {n: float(rng.uniform(lo, hi)) for n, (lo, hi) in bounds.items()}
        value = objective(params)
        if stop_at is not None and value <= stop_at:
            break
        trials.append((params, value))
    return trials
