"""A deliberately wrong solution: grid search keeps the highest MSE (max instead of min),
random search samples alpha and gamma uniformly on a linear scale instead of a log scale,
and the TPE study maximises the validation error."""

import itertools
import warnings

import numpy as np


def grid_search(objective, axes):
    names = list(axes)
    trials = []
    for combo in itertools.product(*(axes[n] for n in names)):
        params = dict(zip(names, (float(v) for v in combo), strict=True))
        trials.append((params, objective(params)))
    best_params, best_value = max(trials, key=lambda t: t[1])  # bug: lower MSE is better
    return best_params, best_value, trials


def random_search(objective, bounds, n_trials, rng, stop_at=None):
    trials = []
    for _ in range(n_trials):
        # bug: uniform between 10**lo and 10**hi, so nearly every sample lands near the top
        params = {n: float(np.log10(rng.uniform(10.0**lo, 10.0**hi)))
                  for n, (lo, hi) in bounds.items()}
        trials.append((params, objective(params)))
        if stop_at is not None and trials[-1][1] <= stop_at:
            break
    return trials


def tpe_search(objective, bounds, n_trials, seed, stop_at=None):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
    study = optuna.create_study(direction="maximize", sampler=sampler)  # bug: minimise the MSE

    def run(trial):
        value = objective({n: trial.suggest_float(n, lo, hi) for n, (lo, hi) in bounds.items()})
        if stop_at is not None and value <= stop_at:
            trial.study.stop()
        return value

    study.optimize(run, n_trials=min(n_trials, 60))
    return [(dict(t.params), t.value) for t in study.trials]
