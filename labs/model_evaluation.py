"""Model evaluation: hold-out vs k-fold cross-validation, and choosing the metric.

A model's score on the data it was fitted to says little about new data, so we hold some
data out. A single hold-out split is cheap but its estimate depends on which points
happened to land in the test set. k-fold cross-validation splits the data into k folds,
fits k models, each tested on the fold it did not see, and averages: every point is
tested once, and the estimate varies much less from one shuffle of the data to the next.

The test fold must play no part in fitting, and "fitting" includes preprocessing: a scaler
fitted on all the data has seen the test fold's mean and spread. With a penalised model
(ridge) the scale decides how hard each weight is shrunk, so a leaky scaler changes the
model, and the cross-validated score no longer measures what a deployed pipeline would
score. Fit the scaler inside each fold, on the training part only (what sklearn's
Pipeline does inside cross_val_score).

The metric matters as much as the split: on imbalanced classes, a model that always
predicts the majority class scores a high accuracy; balanced accuracy (the mean recall
per class) gives it 1 / n_classes and exposes it.

You write k-fold splitting, cross-validation with per-fold scaling and balanced accuracy.
They are checked against sklearn's KFold (plain and shuffled), cross_val_score of a
StandardScaler + model pipeline (logistic regression by accuracy; ridge regression by
mean squared error, where a leaky scaler shows) and balanced_accuracy_score. A shown
demonstration measures, over many reshuffles, that the 5-fold estimate varies less than
the 80/20 hold-out one.

$ python labs/model_evaluation.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("kfold_indices", "cross_val_scores", "balanced_accuracy")


@dataclass
class Config:
    k: int = 5  # folds
    test_fraction: float = 0.2  # hold-out test share (the same 80/20 as one fold of 5)
    repeats: int = 100  # reshuffles used to measure each estimator's spread
    minority: float = 0.1  # share of the minority class in the imbalanced task
    ridge: float = 10.0  # penalty of the ridge model whose CV exposes a leaky scaler


def kfold_indices(n: int, k: int, rng: np.random.Generator | None = None) -> list:
    """Split ``range(n)`` into ``k`` folds as sklearn's KFold does; return ``[(train, test), ...]``.

    With ``rng``, first permute the indices with ``rng.permutation(n)``; without, keep
    0 .. n-1. The test folds are consecutive blocks of that order; the first ``n % k`` folds
    hold one extra index. Each ``train`` is every other index, in the same order (not
    sorted).
    """
    order = rng.permutation(n) if rng is not None else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    folds, start = [], 0
    for size in sizes:
        test = order[start:start + size]
        train = np.concatenate([order[:start], order[start + size:]])
        folds.append((train, test))
        start += size
    return folds


def cross_val_scores(make_model, X: np.ndarray, y: np.ndarray, folds: list, metric) -> np.ndarray:
    """Cross-validate ``make_model()`` over ``folds`` (``[(train, test), ...]``); returns the
    k scores as an array.

    For each fold: standardise the features with the mean and standard deviation (ddof 0,
    a zero std counts as 1) of the *training part only*, applied to both parts; fit a fresh
    ``make_model()`` on the scaled training part; predict the scaled test part and score it
    with ``metric(y_true, y_pred)``.
    """
    scores = []
    for train, test in folds:
        mu, sd = X[train].mean(0), X[train].std(0)
        sd = np.where(sd == 0, 1.0, sd)
        model = make_model().fit((X[train] - mu) / sd, y[train])
        scores.append(metric(y[test], model.predict((X[test] - mu) / sd)))
    return np.array(scores)


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean over the classes present in ``y_true`` of the recall (share of that class's
    samples predicted as that class)."""
    classes = np.unique(y_true)
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in classes]))


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(y_true == y_pred))


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean((y_true - y_pred) ** 2))


def body(lab: kit.Lab) -> None:
    cfg = Config(repeats=lab.pick(20, 200))
    rng = np.random.default_rng(lab.seed)
    from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import KFold, cross_val_predict, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def make_logreg():
        return LogisticRegression(C=0.1, max_iter=1000)

    def make_ridge():
        return Ridge(alpha=cfg.ridge)

    X, y = load_breast_cancer(return_X_y=True)  # 569 tumours, 30 features, binary
    n = len(y)

    lab.section("k-fold splits vs sklearn KFold")
    with lab.guard("kfold_indices runs"):
        for n_, k_ in ((n, cfg.k), (10, 3)):
            mine = [(list(map(int, tr)), list(map(int, te))) for tr, te in kfold_indices(n_, k_)]
            ref = [(tr.tolist(), te.tolist()) for tr, te in KFold(k_).split(np.zeros(n_))]
            lab.check_equal(f"folds = sklearn KFold({k_}) on n={n_}", mine, ref,
                            hint="the first n % k folds get one extra index")
        order = np.random.default_rng(lab.seed).permutation(23)
        mine = [(list(map(int, tr)), list(map(int, te)))
                for tr, te in kfold_indices(23, 4, np.random.default_rng(lab.seed))]
        ref = [(order[tr].tolist(), order[te].tolist()) for tr, te in KFold(4).split(order)]
        lab.check_equal("with rng: KFold's blocks of rng.permutation(n), train in that order",
                        mine, ref, hint="np.setdiff1d sorts; keep train in the permuted order")

    lab.section("cross-validation with per-fold scaling vs sklearn cross_val_score(Pipeline)")
    Xd, yd = load_diabetes(return_X_y=True)  # 442 patients, 10 features, a regression target
    Xd = np.c_[Xd, np.full(len(yd), 3.0)]  # a constant column: its std is 0
    ridge_rows = []
    with lab.guard("cross_val_scores runs"):
        mine = cross_val_scores(make_logreg, X, y, kfold_indices(n, cfg.k), accuracy)
        ref = cross_val_score(make_pipeline(StandardScaler(), make_logreg()), X, y,
                              cv=KFold(cfg.k), scoring="accuracy")
        lab.check_close("logistic regression: fold accuracies = cross_val_score(Pipeline)",
                        mine, ref, rtol=1e-12, hint="fit a fresh model on each training part")
        folds = kfold_indices(len(yd), cfg.k)
        mine = cross_val_scores(make_ridge, Xd, yd, folds, mse)
        pipe = make_pipeline(StandardScaler(), make_ridge())
        ref = -cross_val_score(pipe, Xd, yd, cv=KFold(cfg.k), scoring="neg_mean_squared_error")
        lab.check_close(f"ridge(alpha={cfg.ridge:g}): fold MSEs = cross_val_score(Pipeline)",
                        mine, ref, rtol=1e-6,
                        hint="scale with the training part's mean and std only, never the "
                             "test fold's or all the data's")
        leaky = -cross_val_score(make_ridge(), StandardScaler().fit_transform(Xd), yd,
                                 cv=KFold(cfg.k), scoring="neg_mean_squared_error")
        ridge_rows = [[i + 1, f"{a:.4f}", f"{b:.4f}", f"{c:.4f}"]
                      for i, (a, b, c) in enumerate(zip(mine, ref, leaky, strict=True))]
        lab.table("ridge_cv_folds", ["fold", "yours", "Pipeline (honest)",
                                     "scaler fitted on all data (leaky)"], ridge_rows,
                  title=f"ridge(alpha={cfg.ridge:g}) MSE per fold on diabetes")
        lab.metric("leaky_minus_honest_mean_mse", float(np.mean(leaky) - np.mean(ref)))

    lab.section(f"metric choice on imbalanced classes ({cfg.minority:.0%} minority)")
    Xi, yi = make_classification(n_samples=1000, n_features=10, n_informative=4,
                                 weights=[1 - cfg.minority], class_sep=1.5,
                                 random_state=int(rng.integers(2**31)))
    cv = KFold(cfg.k, shuffle=True, random_state=lab.seed)
    preds = {"majority class": cross_val_predict(DummyClassifier(), Xi, yi, cv=cv),
             "logistic regression": cross_val_predict(make_pipeline(StandardScaler(),
                                                                    make_logreg()), Xi, yi, cv=cv)}
    scores: dict = {}
    with lab.guard("balanced_accuracy runs"):
        y3 = rng.integers(0, 3, 200)
        p3 = np.where(rng.random(200) < 0.6, y3, rng.integers(0, 3, 200))
        p3[p3 == 2] = np.where(rng.random(int(np.sum(p3 == 2))) < 0.5, 2, 0)  # class 2 rarer
        lab.check_close("balanced accuracy = sklearn balanced_accuracy_score (3 classes)",
                        balanced_accuracy(y3, p3), balanced_accuracy_score(y3, p3), rtol=1e-12,
                        hint="the recall of each class, then the plain mean over classes")
        for name, pred in preds.items():
            scores[name] = {"accuracy": accuracy(yi, pred),
                            "balanced_accuracy": balanced_accuracy(yi, pred)}
            lab.metric(f"{name.replace(' ', '_')}_accuracy", scores[name]["accuracy"])
            lab.metric(f"{name.replace(' ', '_')}_balanced_accuracy",
                       scores[name]["balanced_accuracy"])
        maj, real = scores["majority class"], scores["logistic regression"]
        lab.check_close("majority-class model: balanced accuracy = 1/2 (closed form)",
                        maj["balanced_accuracy"], 0.5, rtol=1e-12,
                        hint="average over the classes of y_true, not of y_pred")
        lab.check_ge("balanced accuracy separates the real model from the majority model "
                     "(difference)", real["balanced_accuracy"] - maj["balanced_accuracy"], 0.1,
                     f"accuracy difference only {real['accuracy'] - maj['accuracy']:.3f}")

    lab.section(f"spread over {cfg.repeats} reshuffles: one 80/20 hold-out vs {cfg.k}-fold CV "
                "(a demonstration with sklearn)")
    hold, cvs = [], []
    pipe = make_pipeline(StandardScaler(), make_logreg())
    for r in range(cfg.repeats):
        perm = np.random.default_rng([lab.seed, r]).permutation(n)
        n_test = int(round(cfg.test_fraction * n))
        test, train = perm[:n_test], perm[n_test:]
        hold.append(accuracy(y[test], pipe.fit(X[train], y[train]).predict(X[test])))
        cvs.append(float(np.mean(cross_val_score(
            pipe, X, y, cv=KFold(cfg.k, shuffle=True, random_state=int(1000 * lab.seed + r))))))
    var_hold, var_cv = float(np.var(hold, ddof=1)), float(np.var(cvs, ddof=1))
    lab.metric("holdout_std", var_hold**0.5)
    lab.metric("cv_std", var_cv**0.5)
    with lab.shown():
        lab.check_le("CV estimate varies less than the hold-out estimate (variance)", var_cv,
                     var_hold, f"ratio {var_cv / max(var_hold, 1e-300):.2f}")
        lab.check_close("both estimate the same accuracy (means within 0.02)", np.mean(cvs),
                        np.mean(hold), rtol=0, atol=0.02)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    bins = np.linspace(min(hold + cvs), max(hold + cvs), 25)
    axes[0].hist(hold, bins=bins, alpha=0.6, label=f"80/20 hold-out (sd {np.std(hold):.3f})")
    axes[0].hist(cvs, bins=bins, alpha=0.6, label=f"{cfg.k}-fold CV (sd {np.std(cvs):.3f})")
    axes[0].set(xlabel="estimated accuracy", ylabel="reshuffles",
                title="same model, same data, different shuffles")
    axes[0].legend(fontsize=8)
    if scores:
        names, w = list(scores), 0.38
        for j, m in enumerate(("accuracy", "balanced_accuracy")):
            axes[1].bar(np.arange(2) + (j - 0.5) * w, [scores[s][m] for s in names], w,
                        label=m.replace("_", " ") + " (yours)")
        axes[1].set_xticks(np.arange(2), names)
        axes[1].set(ylim=(0, 1), title="imbalanced classes: accuracy hides a useless model")
        axes[1].legend(fontsize=8, loc="lower right")
    lab.savefig(fig, "model_evaluation.png")
    if ridge_rows and scores:
        lab.conclude(f"Your k-fold cross-validation, scaler fitted inside each fold, matched "
                     f"sklearn's Pipeline to 1e-6 where a leaky scaler is off by "
                     f"{abs(np.mean(leaky) - np.mean(ref)):.2f} MSE; your balanced accuracy "
                     f"scored the majority-class model {maj['balanced_accuracy']:.2f} "
                     f"(accuracy {maj['accuracy']:.2f}); and 5-fold CV varied "
                     f"{var_cv**0.5:.3f} (sd) against {var_hold**0.5:.3f} for one hold-out.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("model-evaluation", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
