"""Another idiom: a grid from np.meshgrid flattened in C order, random search drawing a whole
batch of uniforms up front, and TPE through optuna's ask / tell interface."""

import warnings

import numpy as np


def grid_search(objective, axes):
    names = list(axes)
    mesh = np.meshgrid(*(np.asarray(axes[n], dtype=float) for n in names), indexing="ij")
    points = np.stack([m.ravel() for m in mesh], axis=1)  # C order: the first name slowest
    trials = [(dict(zip(names, map(float, row), strict=True)), None) for row in points]
    trials = [(p, objective(p)) for p, _ in trials]
    i = int(np.argmin([v for _, v in trials]))
    return trials[i][0], trials[i][1], trials


def random_search(objective, bounds, n_trials, rng, stop_at=None):
    names = list(bounds)
    lo = np.array([bounds[n][0] for n in names])
    hi = np.array([bounds[n][1] for n in names])
    out = []
    for _ in range(n_trials):
        u = lo + (hi - lo) * rng.random(len(names))
        params = {n: float(x) for n, x in zip(names, u, strict=True)}
        out.append((params, objective(params)))
        if stop_at is not None and out[-1][1] <= stop_at:
            return out
    return out


def tpe_search(objective, bounds, n_trials, seed, stop_at=None):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
    study = optuna.create_study(sampler=sampler, direction="minimize")
    history = []
    for _ in range(n_trials):
        trial = study.ask()
        params = {name: trial.suggest_float(name, low, high)
                  for name, (low, high) in bounds.items()}
        value = objective(params)
        study.tell(trial, value)
        history.append((params, value))
        if stop_at is not None and value <= stop_at:
            break
    return history
