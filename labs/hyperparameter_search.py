"""Hyperparameter search: grid search, random search and Bayesian optimization (TPE).

Hyperparameters (a regularization strength, a kernel width ...) are set before training and
chosen by validation score. Grid search tries every combination of a few values per
hyperparameter; its cost multiplies with every new dimension. Random search samples
configurations at random. Bayesian optimization models which regions scored well so far and
samples there next; optuna's TPE does this with density models of the good and bad trials.

Choosing by validation score makes that score optimistic: of many configurations, the
winner is partly the one whose validation error happened to be lowest by luck. So the
chosen configuration's validation score is not an estimate of how it will do; a test split
that played no part in the choice is. Here, over 100 small tasks with 20 validation
points each, the grid's chosen model scores a clearly worse test MSE than its validation
MSE (a Wilcoxon signed-rank test on log(test / validation MSE) must give p < 1e-3).

The model is an RBF kernel ridge regression on a noisy 1-D curve, tuned over log10(alpha)
and log10(gamma) by validation MSE (lower is better). You write the three searches (TPE
through optuna); they are checked against sklearn's GridSearchCV, the log-uniform law random
search must sample and a seeded optuna study, trial by trial. Cost is the number of trials
until a configuration comes within 2% of the grid optimum, averaged over seeds: the grid
needs all 64, random search about 60 (good configurations fill ~1.5% of the space), and
TPE, which models the good region, must need fewer than both (a TPE run that misses within
300 trials counts as 301).

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
    budget: int = 1000  # trials a random-search run may spend before it counts as a miss
    budget_tpe: int = 300  # the same for TPE (it needs ~20; each of its trials costs more)
    seeds: int = 40  # independent random / TPE runs averaged
    n_train: int = 100  # training points of the kernel ridge model
    n_val: int = 200  # validation points that score a configuration
    n_test: int = 1000  # test points that only judge the chosen configurations
    bias_tasks: int = 100  # small tasks of the selection-bias experiment
    bias_val: int = 20  # validation points in each of them


def grid_search(objective, axes: dict) -> tuple[dict, float, list]:
    """Evaluate ``objective(params)`` on every combination of the values in ``axes``
    (``{name: values}``), in ``itertools.product`` order of the names as given (the first
    name varies slowest); ``params`` is a ``{name: float}`` dict.

    Returns ``(best_params, best_value, trials)``: the params with the lowest value, that
    value, and the list of ``(params, value)`` for every trial in order.
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
    """Sample each hyperparameter uniformly in its ``(low, high)`` bounds with ``rng`` (they
    are log10 values, so this is log-uniform), ``n_trials`` times; stop right after the
    first trial whose value is ``<= stop_at`` (that trial included). Returns the list of
    ``(params, value)`` in order, ``params`` a ``{name: float}`` dict."""
    trials = []
    for _ in range(n_trials):
        params = {n: float(rng.uniform(lo, hi)) for n, (lo, hi) in bounds.items()}
        trials.append((params, objective(params)))
        if stop_at is not None and trials[-1][1] <= stop_at:
            break
    return trials


def tpe_search(objective, bounds: dict, n_trials: int, seed: int,
               stop_at: float | None = None) -> list:
    """Bayesian optimization with optuna: ``optuna.create_study(direction="minimize",
    sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True))``; each trial
    suggests ``trial.suggest_float(name, low, high)`` for each bound in order and returns
    ``objective(params)``; at most ``n_trials`` trials, and the study stops after the first
    value ``<= stop_at``. Returns the list of ``(params, value)`` in trial order."""
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


def make_task(rng: np.random.Generator, n_train: int, n_val: int, n_test: int):
    """Noisy samples of a wiggly curve. Returns ``objective(params)``: fit kernel ridge on
    the training split, return the validation MSE; ``test_mse(params)``: the same fit scored
    on the test split; and the data ``(x_tr, y_tr, x_va, y_va)``."""
    def f(x):
        return np.sin(3 * x) + 0.5 * np.sin(9 * x)
    x_tr, x_va = rng.uniform(-2, 2, n_train), rng.uniform(-2, 2, n_val)
    y_tr, y_va = f(x_tr) + 0.3 * rng.normal(size=n_train), f(x_va) + 0.3 * rng.normal(size=n_val)
    x_te = rng.uniform(-2, 2, n_test)  # drawn last: the same train / validation data as before
    y_te = f(x_te) + 0.3 * rng.normal(size=n_test)
    d_tr = (x_tr[:, None] - x_tr[None]) ** 2  # (n_train, n_train) squared distances

    def scorer(x, y):
        d = (x[:, None] - x_tr[None]) ** 2  # (n, n_train)

        def mse(params: dict) -> float:
            alpha, gamma = 10.0 ** params["log_alpha"], 10.0 ** params["log_gamma"]
            coef = np.linalg.solve(np.exp(-gamma * d_tr) + alpha * np.eye(len(x_tr)), y_tr)
            return float(np.mean((np.exp(-gamma * d) @ coef - y) ** 2))
        return mse

    return scorer(x_va, y_va), scorer(x_te, y_te), (x_tr, y_tr, x_va, y_va)


def trials_to_target(trials: list, target: float, budget: int) -> int:
    """1-based index of the first trial with value <= target; ``budget + 1`` if none."""
    return next((i + 1 for i, (_, v) in enumerate(trials) if v <= target), budget + 1)


def _optuna_reference(objective, n_trials: int, seed: int, stop_at: float | None) -> list:
    """The oracle for tpe_search: optuna's ask/tell interface, set up as the docstring says."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(
            seed=seed, multivariate=True))
    out = []
    for _ in range(n_trials):
        trial = study.ask()
        params = {n: trial.suggest_float(n, lo, hi) for n, (lo, hi) in BOUNDS.items()}
        out.append((params, objective(params)))
        study.tell(trial, out[-1][1])
        if stop_at is not None and out[-1][1] <= stop_at:
            break
    return out


def body(lab: kit.Lab) -> None:
    from scipy.stats import kstest, wilcoxon
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import GridSearchCV, PredefinedSplit

    cfg = Config(seeds=lab.pick(10, 40))
    objective, test_mse, (x_tr, y_tr, x_va, y_va) = make_task(
        np.random.default_rng(lab.seed), cfg.n_train, cfg.n_val, cfg.n_test)
    axes = {n: np.linspace(lo, hi, cfg.grid_points) for n, (lo, hi) in BOUNDS.items()}

    lab.section(f"grid search ({cfg.grid_points}x{cfg.grid_points}) vs sklearn GridSearchCV")
    X = np.r_[x_tr, x_va][:, None]
    split = PredefinedSplit(np.r_[-np.ones(len(x_tr)), np.zeros(len(x_va))])  # train | val
    ref = GridSearchCV(KernelRidge(kernel="rbf"), {"alpha": 10.0 ** axes["log_alpha"],
                       "gamma": 10.0 ** axes["log_gamma"]}, cv=split,
                       scoring="neg_mean_squared_error", refit=False).fit(X, np.r_[y_tr, y_va])
    ref_best = [float(np.log10(ref.best_params_[k])) for k in ("alpha", "gamma")]
    target = (1 + cfg.within) * -ref.best_score_  # the oracle's grid optimum sets the target
    lab.metric("target_mse", target)
    chosen: dict = {}
    with lab.guard("grid_search runs"):
        best_params, best_value, grid_trials = grid_search(objective, axes)
        order = [tuple(p.values()) for p, _ in grid_trials]
        lab.check_equal("trials: every combination, in itertools.product order", order,
                        [tuple(map(float, c)) for c in itertools.product(*axes.values())],
                        hint="the first name is the outer loop")
        lab.check_close("best config = GridSearchCV's best_params_",
                        [best_params["log_alpha"], best_params["log_gamma"]], ref_best,
                        rtol=1e-9, atol=1e-9, hint="lower MSE is better: take the minimum")
        lab.check_close("best value = GridSearchCV's -best_score_", best_value,
                        -ref.best_score_, rtol=1e-6, hint="return the best trial's own value")
        chosen["grid"] = (best_params, best_value)

    lab.section("random search samples log-uniformly and stops at stop_at")
    with lab.guard("random_search checks run"):
        samples = random_search(lambda p: 1.0, BOUNDS, 400, np.random.default_rng(lab.seed))
        pvals = [kstest([p[n] for p, _ in samples], "uniform", args=(lo, hi - lo)).pvalue
                 for n, (lo, hi) in BOUNDS.items()]
        lab.check_ge("400 samples: each coordinate uniform in its log10 bounds (min KS p)",
                     float(min(pvals)) if len(samples) == 400 else 0.0, 1e-3,
                     hint="draw log10 values uniformly: rng.uniform(low, high)")
        same = [random_search(lambda p: 1.0, BOUNDS, 20, np.random.default_rng(5)) for _ in "ab"]
        lab.check_equal("reproducible: the same rng seed gives the same trials", same[0],
                        same[1], hint="sample with the rng you are given")
        count = iter(range(10, -100, -1))  # values 10, 9, 8, ...: the 6th trial is 5
        stopped = random_search(lambda p: float(next(count)), BOUNDS, 50,
                                np.random.default_rng(lab.seed), stop_at=5.5)
        lab.check_equal("stops right after the first value <= stop_at (trials kept)",
                        [v for _, v in stopped], [10.0, 9.0, 8.0, 7.0, 6.0, 5.0],
                        hint="append the trial, then stop")

    lab.section("TPE: the study, trial by trial, against optuna set up as specified")
    with lab.guard("tpe_search matches optuna"):
        mine = tpe_search(objective, BOUNDS, 40, lab.seed, target)
        oracle = _optuna_reference(objective, 40, lab.seed, target)
        lab.check_close("tpe_search trials = seeded multivariate TPE study (params, values)",
                        [[p["log_alpha"], p["log_gamma"], v] for p, v in mine],
                        [[p["log_alpha"], p["log_gamma"], v] for p, v in oracle],
                        rtol=1e-12, hint="minimize; TPESampler(seed=seed, multivariate=True); "
                                         "suggest in bound order")

    lab.section(f"random search and TPE: trials until MSE <= grid optimum + {cfg.within:.0%}")
    counts, first_runs = {"random": [], "TPE": []}, {}
    for name in counts:
        budget = cfg.budget if name == "random" else cfg.budget_tpe
        with lab.guard(f"{'random_search' if name == 'random' else 'tpe_search'} runs"):
            for s in range(cfg.seeds):
                if counts[name] and counts[name][-1] > budget:
                    break  # one miss already fails the check; do not spend more trials
                trials = (random_search(objective, BOUNDS, budget, np.random.default_rng(
                    [lab.seed, s]), target) if name == "random" else
                    tpe_search(objective, BOUNDS, budget, lab.seed * 1000 + s, target))
                first_runs.setdefault(name, trials)
                counts[name].append(trials_to_target(trials, target, budget))
            if name == "random":  # TPE's misses count as budget + 1 in its mean below
                lab.check_equal(f"random search reaches the target within {budget} trials "
                                "(runs)", sum(c <= budget for c in counts[name]), cfg.seeds,
                                "runs stop at the first miss")
            lab.metric(f"{name}_mean_trials_to_target", float(np.mean(counts[name])))
            chosen[name] = min(first_runs[name], key=lambda t: t[1])
    if counts["random"] and counts["TPE"]:
        mean_r, mean_t = float(np.mean(counts["random"])), float(np.mean(counts["TPE"]))
        lab.check_le(f"TPE needs fewer trials than random search (mean of {cfg.seeds} seeds)",
                     mean_t, mean_r - 1e-9, f"random {mean_r:.1f}")
        lab.check_le("TPE needs fewer trials than the grid", mean_t, cfg.grid_points**2 - 1)

    lab.section("selection bias: the chosen configuration on a test split it never saw")
    rows = [[name, v, test_mse(p)] for name, (p, v) in chosen.items()]
    if rows:
        lab.table("chosen_val_vs_test", ["method", "validation MSE (chosen)", "test MSE"], rows,
                  title=f"this task: {cfg.n_val} validation points, {cfg.n_test} test points")
    ratios = []
    with lab.guard("grid_search on small tasks"):
        for r in range(cfg.bias_tasks):
            val, test, _ = make_task(np.random.default_rng([lab.seed, 7, r]), 50, cfg.bias_val, 500)
            p, v, _ = grid_search(val, axes)
            ratios.append(np.log(test(p) / v))
        p_bias = float(wilcoxon(ratios, alternative="greater").pvalue)
        lab.metric("median_test_over_validation_mse", float(np.exp(np.median(ratios))))
        lab.check_le(f"{cfg.bias_tasks} tasks: the chosen model's test MSE exceeds its "
                     f"validation MSE (Wilcoxon p)", p_bias, 1e-3,
                     hint="report the configuration with the lowest validation value")

    fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(15, 4))
    ha, hg = (np.diff(axes["log_alpha"])[0] / 2, np.diff(axes["log_gamma"])[0] / 2)  # half cells
    # GridSearchCV's results run alpha outer, gamma inner: rows alpha, columns gamma
    z = -np.asarray(ref.cv_results_["mean_test_score"]).reshape(cfg.grid_points, cfg.grid_points)
    (a_lo, *_, a_hi), (g_lo, *_, g_hi) = axes["log_alpha"], axes["log_gamma"]
    im = ax0.imshow(np.log10(z).T, origin="lower", aspect="auto", cmap="viridis_r",
                    extent=[a_lo - ha, a_hi + ha, g_lo - hg, g_hi + hg])
    fig.colorbar(im, ax=ax0, label="log10 validation MSE (grid)")
    g = np.array(list(itertools.product(axes["log_alpha"], axes["log_gamma"])))
    ax0.scatter(g[:, 0], g[:, 1], c="w", s=8, label="grid")
    for (name, trials), mark in zip(first_runs.items(), ("x", "+"), strict=False):
        pts = np.array([[p["log_alpha"], p["log_gamma"]] for p, _ in trials])
        ax0.scatter(pts[:, 0], pts[:, 1], s=24, marker=mark, label=f"{name} (seed 0)")
    ax0.set(xlabel="log10 alpha", ylabel="log10 gamma", title="search space")
    ax0.legend(fontsize=7, loc="upper left")
    labels = ["grid (all)"] + [n for n in counts if counts[n]]
    means = [cfg.grid_points**2] + [np.mean(counts[n]) for n in labels[1:]]
    errs = [0] + [np.std(counts[n]) / np.sqrt(len(counts[n])) for n in labels[1:]]
    ax1.bar(labels, means, yerr=errs, color=["C7", "C1", "C3"][: len(labels)], capsize=4)
    ax1.set(ylabel="trials (mean +- s.e.)",
            title=f"trials to within {cfg.within:.0%} of the grid optimum")
    if ratios:
        ax2.hist(np.clip(np.log10(np.exp(ratios)), -0.5, 1.0), bins=30, color="C2")
        ax2.axvline(0.0, color="k", ls="--")
        ax2.set(xlabel="log10(test MSE / validation MSE) of the chosen config (clipped)",
                ylabel="tasks", title=f"selection bias over {len(ratios)} small tasks")
    lab.savefig(fig, "hyperparameter_search.png")
    if ratios and counts["random"] and counts["TPE"] and len(rows) == 3:
        lab.conclude(f"Your TPE came within {cfg.within:.0%} of the grid optimum in {mean_t:.0f} "
                     f"trials on average against {mean_r:.0f} for your random search and 64 for "
                     f"the grid; the configuration a search picks looks better on validation "
                     f"than on test: over {len(ratios)} small tasks its test MSE was a median "
                     f"{np.exp(np.median(ratios)):.2f}x its validation MSE.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("hyperparameter-search", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
