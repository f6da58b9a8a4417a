"""Hyperparameter search: grid search, random search and Bayesian optimization (TPE).

Hyperparameters (a regularization strength, a kernel width, a learning rate ...) are set
before training and chosen by validation score. Grid search tries every combination of a
few values per hyperparameter: simple, but its cost multiplies with every new dimension.
Random search samples configurations at random: same cost per trial, no grid artefacts.
Bayesian optimization models which regions scored well so far and samples there next;
optuna's TPE (tree-structured Parzen estimator) does this with density models of the good
and the bad trials.

The small model here is an RBF kernel ridge regression on a noisy 1-D curve, tuned over
log10(alpha) and log10(gamma) by validation mean squared error (lower is better). This lab
writes the three searches by hand (TPE through optuna), checks the grid search against
sklearn's GridSearchCV, and measures what "fewer trials" means: for each method, the number
of trials until a configuration comes within 2% of the grid optimum's validation MSE,
averaged over many seeds (10 in --quick, 40 in full mode). The grid itself must spend all
its 8 x 8 = 64 trials to know its optimum. Checks: random search and TPE each reach the
target within the budget (1000 trials) in every seed, and TPE needs fewer trials on
average than random search and than the grid. Configurations this good fill only about 1%
of the search space, which is where a model of the good region pays off.

$ python labs/hyperparameter_search.py --quick
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("grid_search", "random_search", "tpe_search")

BOUNDS = {"log_alpha": (-8.0, 2.0), "log_gamma": (-4.0, 4.0)}  # search space, log10 units


@dataclass
class Config:
    grid_points: int = 8  # values per hyperparameter in the grid (8 x 8 = 64 trials)
    within: float = 0.02  # target: validation MSE <= (1 + within) * grid optimum
    budget: int = 1000  # trials each random / TPE run may spend before it counts as a miss
    seeds: int = 40  # independent random / TPE runs averaged
    n_train: int = 100  # training points of the kernel ridge model
    n_val: int = 200  # validation points that score a configuration


def grid_search(objective, axes: dict) -> tuple[dict, float, list]:
    """Evaluate ``objective(params)`` on every combination of the values in ``axes``
    (``{name: values}``), in ``itertools.product`` order of the names as given.

    Returns ``(best_params, best_value, trials)``: the lowest value, its params dict, and the
    list of ``(params, value)`` for every trial in order.
    """
    names = list(axes)
    trials = []
    for combo in itertools.product(*(axes[n] for n in names)):
        params = dict(zip(names, (float(v) for v in combo), strict=True))
        trials.append((params, objective(params)))
    best_params, best_value = min(trials, key=lambda t: t[1])
    return best_params, best_value, trials


def random_search(objective, bounds: dict, n_trials: int, rng: np.random.Generator,
                  stop_at: float | None = None) -> list:
    """Sample each hyperparameter uniformly in its ``(low, high)`` bounds (they are log10
    values, so this is log-uniform), ``n_trials`` times; stop early after the first trial
    whose value is ``<= stop_at``. Returns the list of ``(params, value)`` in order."""
    trials = []
    for _ in range(n_trials):
        params = {n: float(rng.uniform(lo, hi)) for n, (lo, hi) in bounds.items()}
        trials.append((params, objective(params)))
        if stop_at is not None and trials[-1][1] <= stop_at:
            break
    return trials


def tpe_search(objective, bounds: dict, n_trials: int, seed: int,
               stop_at: float | None = None) -> list:
    """Bayesian optimization with optuna: a study that minimises, a seeded
    ``TPESampler(seed=seed, multivariate=True)``, ``trial.suggest_float(name, low, high)`` for
    each bound; stop the study after the first value ``<= stop_at``.
    Returns the list of ``(params, value)`` in trial order."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
    study = optuna.create_study(direction="minimize", sampler=sampler)

    def run(trial):
        value = objective({n: trial.suggest_float(n, lo, hi) for n, (lo, hi) in bounds.items()})
        if stop_at is not None and value <= stop_at:
            trial.study.stop()
        return value

    study.optimize(run, n_trials=n_trials)
    return [(dict(t.params), t.value) for t in study.trials]


def make_task(rng: np.random.Generator, cfg: Config):
    """Noisy samples of a wiggly curve; the objective fits kernel ridge and returns val MSE."""
    def f(x):
        return np.sin(3 * x) + 0.5 * np.sin(9 * x)
    x_tr, x_va = rng.uniform(-2, 2, cfg.n_train), rng.uniform(-2, 2, cfg.n_val)
    y_tr = f(x_tr) + 0.3 * rng.normal(size=cfg.n_train)
    y_va = f(x_va) + 0.3 * rng.normal(size=cfg.n_val)
    d_tr = (x_tr[:, None] - x_tr[None]) ** 2  # (n_train, n_train) squared distances
    d_va = (x_va[:, None] - x_tr[None]) ** 2  # (n_val, n_train)

    def objective(params: dict) -> float:
        alpha, gamma = 10.0 ** params["log_alpha"], 10.0 ** params["log_gamma"]
        coef = np.linalg.solve(np.exp(-gamma * d_tr) + alpha * np.eye(len(x_tr)), y_tr)
        return float(np.mean((np.exp(-gamma * d_va) @ coef - y_va) ** 2))

    return objective, (x_tr, y_tr, x_va, y_va)


def trials_to_target(trials: list, target: float, budget: int) -> int:
    """1-based index of the first trial with value <= target; ``budget + 1`` if none."""
    return next((i + 1 for i, (_, v) in enumerate(trials) if v <= target), budget + 1)


def body(lab: kit.Lab) -> None:
    cfg = Config(seeds=lab.pick(10, 40))
    objective, (x_tr, y_tr, x_va, y_va) = make_task(np.random.default_rng(lab.seed), cfg)
    axes = {n: np.linspace(lo, hi, cfg.grid_points) for n, (lo, hi) in BOUNDS.items()}

    lab.section(f"grid search ({cfg.grid_points}x{cfg.grid_points}) vs sklearn GridSearchCV")
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import GridSearchCV, PredefinedSplit

    X = np.r_[x_tr, x_va][:, None]
    split = PredefinedSplit(np.r_[-np.ones(len(x_tr)), np.zeros(len(x_va))])  # train | val
    ref = GridSearchCV(KernelRidge(kernel="rbf"), {"alpha": 10.0 ** axes["log_alpha"],
                       "gamma": 10.0 ** axes["log_gamma"]}, cv=split,
                       scoring="neg_mean_squared_error", refit=False).fit(X, np.r_[y_tr, y_va])
    ref_best = [float(np.log10(ref.best_params_[k])) for k in ("alpha", "gamma")]
    target = (1 + cfg.within) * -ref.best_score_  # the oracle's grid optimum sets the target
    lab.metric("grid_best_mse", -ref.best_score_)
    lab.metric("target_mse", target)
    grid_trials = []
    with lab.guard("grid_search runs"):
        best_params, best_value, grid_trials = grid_search(objective, axes)
        lab.check_equal("grid trials = every combination", len(grid_trials), cfg.grid_points**2)
        lab.check_close("best config = GridSearchCV's best_params_",
                        [best_params["log_alpha"], best_params["log_gamma"]], ref_best,
                        rtol=1e-9, atol=1e-9)
        lab.check_close("best validation MSE = GridSearchCV's -best_score_", best_value,
                        -ref.best_score_, rtol=1e-6)

    lab.section(f"random search and TPE: trials until MSE <= grid optimum + {cfg.within:.0%}")
    counts = {"random": [], "TPE": []}
    first_runs = {}
    runners = {
        "random": lambda s: random_search(objective, BOUNDS, cfg.budget,
                                          np.random.default_rng([lab.seed, s]), target),
        "TPE": lambda s: tpe_search(objective, BOUNDS, cfg.budget, lab.seed * 1000 + s, target),
    }
    for name, run in runners.items():
        with lab.guard(f"{'random_search' if name == 'random' else 'tpe_search'} runs"):
            for s in range(cfg.seeds):
                if counts[name] and counts[name][-1] > cfg.budget:
                    break  # one miss already fails the check; do not spend more trials
                trials = run(s)
                first_runs.setdefault(name, trials)
                counts[name].append(trials_to_target(trials, target, cfg.budget))
                params, value = min(trials, key=lambda t: t[1])
                if s == 0:  # the reported value must belong to the reported params
                    lab.check_close(f"{name}: best value = objective(best params)",
                                    objective(params), value, rtol=1e-9)
                    inside = all(lo <= p[n] <= hi for p, _ in trials
                                 for n, (lo, hi) in BOUNDS.items())
                    lab.check_equal(f"{name}: every sample inside the bounds", inside, True)
            hits = sum(c <= cfg.budget for c in counts[name])
            lab.check_equal(f"{name} reaches the target within {cfg.budget} trials (runs)",
                            hits, cfg.seeds, "runs stop at the first miss")
            lab.metric(f"{name}_mean_trials_to_target", float(np.mean(counts[name])))
            lab.metric(f"{name}_median_trials_to_target", float(np.median(counts[name])))
    if counts["random"] and counts["TPE"]:
        mean_r, mean_t = float(np.mean(counts["random"])), float(np.mean(counts["TPE"]))
        lab.check_le(f"TPE needs fewer trials than random search (mean of {cfg.seeds} seeds)",
                     mean_t, mean_r - 1e-9, f"random {mean_r:.1f}")
        lab.check_le("TPE needs fewer trials than the grid", mean_t, cfg.grid_points**2 - 1)

    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
    ha, hg = (np.diff(axes["log_alpha"])[0] / 2, np.diff(axes["log_gamma"])[0] / 2)  # half cells
    # GridSearchCV's results run alpha outer, gamma inner: rows alpha, columns gamma
    z = -np.asarray(ref.cv_results_["mean_test_score"]).reshape(cfg.grid_points, cfg.grid_points)
    im = ax0.imshow(np.log10(z).T, origin="lower", aspect="auto", cmap="viridis_r",
                    extent=[axes["log_alpha"][0] - ha, axes["log_alpha"][-1] + ha,
                            axes["log_gamma"][0] - hg, axes["log_gamma"][-1] + hg])
    fig.colorbar(im, ax=ax0, label="log10 validation MSE (grid)")
    g = np.array(list(itertools.product(axes["log_alpha"], axes["log_gamma"])))
    ax0.scatter(g[:, 0], g[:, 1], c="w", s=8, label="grid")
    style = {"random": {"marker": "x", "c": "orange"},
             "TPE": {"marker": "o", "facecolors": "none", "edgecolors": "r"}}
    for name, trials in first_runs.items():
        pts = np.array([[p["log_alpha"], p["log_gamma"]] for p, _ in trials])
        ax0.scatter(pts[:, 0], pts[:, 1], s=18, label=f"{name} (seed 0)", **style[name])
    ax0.set(xlabel="log10 alpha", ylabel="log10 gamma", title="search space")
    ax0.legend(fontsize=7, loc="upper left")
    labels = ["grid (all)"] + [n for n in counts if counts[n]]
    means = [cfg.grid_points**2] + [np.mean(counts[n]) for n in labels[1:]]
    errs = [0] + [np.std(counts[n]) / np.sqrt(len(counts[n])) for n in labels[1:]]
    ax1.bar(labels, means, yerr=errs, color=["C7", "C1", "C3"][: len(labels)], capsize=4)
    ax1.set(ylabel="trials (mean +- s.e.)",
            title=f"trials to within {cfg.within:.0%} of the grid optimum")
    lab.savefig(fig, "hyperparameter_search.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("hyperparameter-search", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
