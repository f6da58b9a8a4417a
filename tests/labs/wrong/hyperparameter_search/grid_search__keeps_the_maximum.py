"""Bug: keeps the highest validation MSE (max instead of min)."""

import itertools


def grid_search(objective, axes):
    names = list(axes)
    trials = []
    for combo in itertools.product(*(axes[n] for n in names)):
        params = dict(zip(names, (float(v) for v in combo), strict=True))
        trials.append((params, objective(params)))
    best_params, best_value = max(trials, key=lambda t: t[1])
    return best_params, best_value, trials
