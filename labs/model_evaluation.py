"""Model evaluation: hold-out vs k-fold cross-validation, and choosing the metric.

A model's score on the data it was fitted to says little about new data, so we hold some
data out. A single hold-out split is cheap but its estimate depends on which points
happened to land in the test set. k-fold cross-validation splits the data into k folds,
fits k models, each tested on the fold it did not see, and averages: every point is
tested once, and the estimate varies much less from one shuffle of the data to the next.
The metric matters as much as the split: on imbalanced classes, a model that always
predicts the majority class scores a high accuracy; balanced accuracy (the mean recall
per class) gives it 1 / n_classes and exposes it.

This lab writes k-fold splitting, cross-validation and balanced accuracy by hand, checks
the folds against sklearn.model_selection.KFold, the scores against
sklearn's cross_val_score and balanced_accuracy_score, measures (over many reshuffles)
that the 5-fold estimate varies less than the single 80/20 hold-out estimate (the spread
from how one fixed data set is split, not from drawing new data), and shows
accuracy failing to tell a useless majority-class model from a real one.

$ python labs/model_evaluation.py --quick
"""

from __future__ import annotations

import warnings
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


def kfold_indices(n: int, k: int, rng: np.random.Generator | None = None) -> list:
    """Split ``range(n)`` into ``k`` folds as sklearn's KFold does; return ``[(train, test), ...]``.

    With ``rng``, first permute the indices with ``rng.permutation(n)``. The test folds are
    consecutive blocks of that order; the first ``n % k`` folds hold one extra index. Each
    ``train`` is every other index, in increasing order of position in that order.
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
    """For each ``(train, test)`` fold: fit a fresh ``make_model()`` on the training part only,
    predict the test part and score it with ``metric(y_true, y_pred)``. Returns the k scores."""
    scores = []
    for train, test in folds:
        model = make_model().fit(X[train], y[train])
        scores.append(metric(y[test], model.predict(X[test])))
    return np.array(scores)


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean over the classes present in ``y_true`` of the recall (share of that class's
    samples predicted as that class)."""
    classes = np.unique(y_true)
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in classes]))


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(y_true == y_pred))


def body(lab: kit.Lab) -> None:
    cfg = Config(repeats=lab.pick(30, 200))
    rng = np.random.default_rng(lab.seed)
    from sklearn.datasets import load_breast_cancer, make_classification
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def make_model():
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=1000))

    X, y = load_breast_cancer(return_X_y=True)  # 569 tumours, 30 features, binary
    n = len(y)

    lab.section("k-fold splits and scores vs sklearn")
    with lab.guard("kfold_indices runs"):
        for n_, k_ in ((n, cfg.k), (10, 3), (7, 7)):
            mine = [(tr.tolist(), te.tolist()) for tr, te in kfold_indices(n_, k_)]
            ref = [(tr.tolist(), te.tolist()) for tr, te in KFold(k_).split(np.zeros(n_))]
            lab.check_equal(f"folds = sklearn KFold({k_}) on n={n_}", mine, ref)
        folds = kfold_indices(n, cfg.k, np.random.default_rng(lab.seed))
        tests = np.sort(np.concatenate([te for _, te in folds]))
        disjoint = all(set(tr.tolist()).isdisjoint(te.tolist()) and len(tr) + len(te) == n
                       for tr, te in folds)
        lab.check("shuffled folds: test folds partition the data, train = the rest",
                  bool(np.array_equal(tests, np.arange(n))) and disjoint, "partition",
                  "partition" if disjoint and np.array_equal(tests, np.arange(n)) else "not")
    with lab.guard("cross_val_scores runs"):
        mine = cross_val_scores(make_model, X, y, kfold_indices(n, cfg.k), accuracy)
        ref = cross_val_score(make_model(), X, y, cv=KFold(cfg.k), scoring="accuracy")
        lab.check_close("scores = sklearn cross_val_score (accuracy)", mine, ref, rtol=1e-12)

    lab.section(f"spread over {cfg.repeats} reshuffles: one 80/20 hold-out vs {cfg.k}-fold CV")
    hold, cv = [], []
    with lab.guard("cross-validation estimate runs"):
        for r in range(cfg.repeats):
            split_rng = np.random.default_rng([lab.seed, r])
            perm = split_rng.permutation(n)
            n_test = int(round(cfg.test_fraction * n))
            test, train = perm[:n_test], perm[n_test:]
            hold.append(accuracy(y[test], make_model().fit(X[train], y[train]).predict(X[test])))
            folds = kfold_indices(n, cfg.k, np.random.default_rng([lab.seed, r, 1]))
            cv.append(float(np.mean(cross_val_scores(make_model, X, y, folds, accuracy))))
        var_hold, var_cv = float(np.var(hold, ddof=1)), float(np.var(cv, ddof=1))
        lab.metric("holdout_mean_accuracy", np.mean(hold))
        lab.metric("cv_mean_accuracy", np.mean(cv))
        lab.metric("holdout_std", var_hold**0.5)
        lab.metric("cv_std", var_cv**0.5)
        lab.check_le("CV estimate varies less than the hold-out estimate (variance)", var_cv,
                     var_hold, f"ratio {var_cv / max(var_hold, 1e-300):.2f}")
        lab.check_close("both estimate the same accuracy (means within 0.02)", np.mean(cv),
                        np.mean(hold), rtol=0, atol=0.02)

    lab.section(f"metric choice on imbalanced classes ({cfg.minority:.0%} minority)")
    Xi, yi = make_classification(n_samples=1000, n_features=10, n_informative=4,
                                 weights=[1 - cfg.minority], class_sep=1.5,
                                 random_state=int(rng.integers(2**31)))
    scores = {}
    with lab.guard("balanced_accuracy runs"):
        y3 = rng.integers(0, 3, 200)
        p3 = np.where(rng.random(200) < 0.6, y3, rng.integers(0, 3, 200))
        lab.check_close("balanced accuracy = sklearn balanced_accuracy_score (3 classes)",
                        balanced_accuracy(y3, p3), balanced_accuracy_score(y3, p3), rtol=1e-12)
        folds = kfold_indices(len(yi), cfg.k, np.random.default_rng(lab.seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, make in (("majority class", lambda: DummyClassifier()),
                               ("logistic regression", make_model)):
                scores[name] = {m.__name__: float(np.mean(cross_val_scores(make, Xi, yi, folds, m)))
                                for m in (accuracy, balanced_accuracy)}
        maj, real = scores["majority class"], scores["logistic regression"]
        for name, s in scores.items():
            lab.metric(f"{name.replace(' ', '_')}_accuracy", s["accuracy"])
            lab.metric(f"{name.replace(' ', '_')}_balanced_accuracy", s["balanced_accuracy"])
        lab.check_close("majority-class model: balanced accuracy = 1/2 (closed form)",
                        maj["balanced_accuracy"], 0.5, rtol=1e-12)
        lab.check_ge("balanced accuracy separates the real model from the majority model "
                     "(difference)", real["balanced_accuracy"] - maj["balanced_accuracy"], 0.1,
                     f"accuracy difference only {real['accuracy'] - maj['accuracy']:.3f}")

    if hold and cv:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
        bins = np.linspace(min(hold + cv), max(hold + cv), 25)
        axes[0].hist(hold, bins=bins, alpha=0.6, label=f"80/20 hold-out (sd {np.std(hold):.3f})")
        axes[0].hist(cv, bins=bins, alpha=0.6, label=f"{cfg.k}-fold CV (sd {np.std(cv):.3f})")
        axes[0].set(xlabel="estimated accuracy", ylabel="reshuffles",
                    title="same model, same data, different shuffles")
        axes[0].legend(fontsize=8)
        if scores:
            names, w = list(scores), 0.38
            for j, m in enumerate(("accuracy", "balanced_accuracy")):
                axes[1].bar(np.arange(2) + (j - 0.5) * w, [scores[s][m] for s in names], w,
                            label=m.replace("_", " "))
            axes[1].set_xticks(np.arange(2), names)
            axes[1].set(ylim=(0, 1), title="imbalanced classes: accuracy hides a useless model")
            axes[1].legend(fontsize=8, loc="lower right")
        lab.savefig(fig, "model_evaluation.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("model-evaluation", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
