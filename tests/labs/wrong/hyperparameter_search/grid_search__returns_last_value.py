"""Bug: tracks the best params in the loop but returns the loop variable's last value."""

import itertools


def grid_search(objective, axes):
    names = list(axes)
    trials, best_params, best_value = [], None, float("inf")
    for combo in itertools.product(*(axes[n] for n in names)):
        params = dict(zip(names, (float(v) for v in combo), strict=True))
        value = objective(params)
        trials.append((params, value))
        if value < best_value:
            best_params, best_value = params, value
    return best_params, value, trials  # should be best_value
