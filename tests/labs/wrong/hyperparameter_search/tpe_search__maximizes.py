"""Bug: creates the study with direction="maximize", so TPE hunts for the worst MSE."""

import warnings


def tpe_search(objective, bounds, n_trials, seed, stop_at=None):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def run(trial):
        value = objective({n: trial.suggest_float(n, lo, hi) for n, (lo, hi) in bounds.items()})
        if stop_at is not None and value <= stop_at:
            trial.study.stop()
        return value

    study.optimize(run, n_trials=n_trials)
    return [(dict(t.params), t.value) for t in study.trials]
