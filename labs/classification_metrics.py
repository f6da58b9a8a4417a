"""Classification metrics: accuracy, precision, recall and F1 from a confusion matrix.

Every classification metric is a function of the confusion matrix C, where C[i, j] counts
the examples of true class i predicted as class j. Accuracy is trace(C) / sum(C); for class
k, precision = TP / (TP + FP) (a column of C), recall = TP / (TP + FN) (a row), and
F-beta = (1 + b^2) TP / ((1 + b^2) TP + b^2 FN + FP). Averaging over classes is where the
choices hide: macro (each class counts the same), weighted (by class support) and micro
(pool all TP/FP/FN first: for single-label multiclass data micro-F1 equals accuracy). A
class with no predictions has precision 0/0: like scikit-learn's zero_division=0 we count
it as 0. You write the confusion matrix, accuracy and P/R/F-beta; the lab checks them
against scikit-learn to 1e-12 on random binary and multiclass labelings (balanced, skewed,
with absent classes) and on a hand-worked matrix, and shows on an imbalanced problem why
accuracy alone misleads.

$ python labs/classification_metrics.py --quick
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("confusion_matrix", "accuracy", "precision_recall_fscore")


@dataclass
class Config:
    trials: int = 200  # random labelings, spread over K = 2, 3, 5, 10 classes
    max_n: int = 300  # examples per labeling (at most)
    tol: float = 1e-12  # max relative error vs scikit-learn


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) int matrix, C[i, j] = #examples with true class i predicted as j.

    Labels are ints in 0 .. n_classes - 1; a class that never occurs still has its row and
    column (of zeros). Every example counts, repeated (i, j) pairs included.
    """
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def accuracy(cm: np.ndarray, balanced: bool = False) -> float:
    """Share of correct predictions, trace(cm) / sum(cm); with ``balanced``, the mean recall
    over the classes that occur in y_true (row sum > 0), as scikit-learn's
    balanced_accuracy_score computes it."""
    if not balanced:
        return float(np.trace(cm) / cm.sum())
    support = cm.sum(axis=1)
    present = support > 0
    return float(np.mean(np.diag(cm)[present] / support[present]))


def precision_recall_fscore(cm: np.ndarray, average: str | None = None, beta: float = 1.0
                            ) -> tuple:
    """Precision, recall and F-beta from a confusion matrix ``cm`` (K, K).

    Per class k: precision = TP / (TP + FP) (column k), recall = TP / (TP + FN) (row k),
    F-beta = (1 + b^2) TP / ((1 + b^2) TP + b^2 FN + FP) with b = beta. Zero division: a
    0 / 0 counts as 0 (scikit-learn's zero_division=0), never nan. average: None (per-class
    arrays (K,)), "macro" (plain mean over all K classes, absent ones included as 0),
    "weighted" (mean weighted by each class's support, the row sums; 0.0 if all are 0),
    "micro" (from the TP, FP and FN summed over the classes) or "binary" (class 1 of a
    2-class matrix). Returns (precision, recall, fbeta): three floats, or three arrays
    for average=None.
    """
    tp = np.diag(cm).astype(np.float64)  # (K,)
    fp = cm.sum(axis=0) - tp  # predicted k, truly something else
    fn = cm.sum(axis=1) - tp  # truly k, predicted something else
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    b2 = beta * beta

    def div(a, b):
        return np.divide(a, b, out=np.zeros_like(np.asarray(a, dtype=np.float64)),
                         where=np.asarray(b) > 0)

    p, r = div(tp, tp + fp), div(tp, tp + fn)
    f = div((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp)
    if average in (None, "micro"):
        return (p, r, f) if average is None else (float(p), float(r), float(f))
    if average == "binary":
        return float(p[1]), float(r[1]), float(f[1])
    w = cm.sum(axis=1) if average == "weighted" else np.ones(len(tp))
    if w.sum() == 0:
        return 0.0, 0.0, 0.0
    return tuple(float(np.sum(x * w) / w.sum()) for x in (p, r, f))


AVG_HINTS = {"macro": "plain mean over all K classes, absent ones as 0",
             "micro": "sum TP, FP and FN over the classes first, then divide",
             "weighted": "weights = support = row sums of cm (true counts)"}


def random_labeling(rng: np.random.Generator, k: int, max_n: int):
    """Labels with a random class balance (sometimes missing classes) and a classifier of
    random skill: each prediction is right with prob q, else a class drawn from its own
    random bias."""
    n = int(rng.integers(1, max_n + 1))
    prior = rng.dirichlet(np.full(k, rng.choice([0.3, 1.0, 5.0])))
    y = rng.choice(k, size=n, p=prior)
    q = rng.uniform(0, 1)
    guess = rng.choice(k, size=n, p=rng.dirichlet(np.ones(k)))
    return y, np.where(rng.random(n) < q, y, guess)


@kit.cached
def sklearn_reference(seed: int, trials: int, max_n: int) -> dict:
    """The random labelings of one seed and everything scikit-learn says about them (the
    oracle; computed once per process, read-only: the body hands out copies)."""
    from sklearn import metrics as skm

    for msg in ("y_pred contains classes not in y_true", "A single label was found"):
        warnings.filterwarnings("ignore", message=msg, category=UserWarning)  # by design here
    rng = np.random.default_rng(seed)
    cases = [(k, *random_labeling(rng, k, max_n)) for k in (2, 3, 5, 10)
             for _ in range(trials // 4)]
    ref: dict = {"rng_state": rng.bit_generator.state, "cases": cases}
    ref["cms"] = [skm.confusion_matrix(y, yp, labels=np.arange(k)) for k, y, yp in cases]
    ref["accuracy"] = [skm.accuracy_score(y, yp) for _, y, yp in cases]
    ref["balanced"] = [skm.balanced_accuracy_score(y, yp) for _, y, yp in cases]
    ref["averages"] = {(beta, avg): np.array([skm.precision_recall_fscore_support(
        y, yp, labels=np.arange(k), average=avg, beta=beta, zero_division=0)[:3]
        for k, y, yp in cases]) for beta, avg in AVERAGES}
    ref["per_class"] = np.concatenate([np.stack(skm.precision_recall_fscore_support(
        y, yp, labels=np.arange(k), zero_division=0)[:3]) for k, y, yp in cases], axis=1)
    ref["binary"] = [[skm.precision_score(y, yp, zero_division=0),
                      skm.recall_score(y, yp, zero_division=0),
                      skm.f1_score(y, yp, zero_division=0)] for k, y, yp in cases if k == 2]
    for v in (*[a for case in cases for a in case[1:]], *ref["cms"], ref["per_class"],
              *ref["averages"].values()):
        v.flags.writeable = False
    return ref


@kit.cached
def digits_reference(seed: int) -> dict:
    """Gaussian naive Bayes on sklearn's digits: its test predictions and sklearn's metrics."""
    from sklearn import metrics as skm
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.naive_bayes import GaussianNB

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    pred = GaussianNB().fit(Xtr, ytr).predict(Xte)
    ref = {"cm": skm.confusion_matrix(yte, pred),
           "report": skm.classification_report(yte, pred, digits=3),
           "f1": [skm.f1_score(yte, pred, average=a) for a in ("macro", "weighted", "micro")],
           "prf": skm.precision_recall_fscore_support(yte, pred)[:3]}
    for v in (ref["cm"], *ref["prf"]):
        v.flags.writeable = False
    return ref


AVERAGES = [(1.0, a) for a in ("macro", "micro", "weighted")] + [(0.5, "weighted"),
                                                                  (2.0, "macro")]


def body(lab: kit.Lab) -> None:
    for msg in ("y_pred contains classes not in y_true", "A single label was found"):
        warnings.filterwarnings("ignore", message=msg, category=UserWarning)  # by design here
    cfg = Config(trials=lab.pick(80, 400))
    ref = sklearn_reference(lab.seed, cfg.trials, cfg.max_n)
    cases = [(k, y.copy(), yp.copy()) for k, y, yp in ref["cases"]]
    rng = np.random.default_rng(lab.seed)
    rng.bit_generator.state = ref["rng_state"]  # as if this run had drawn the labelings
    lab.log(f"  {len(cases)} random labelings, K in (2, 3, 5, 10), n up to {cfg.max_n}")

    lab.section("confusion matrix vs sklearn.metrics.confusion_matrix")
    with lab.guard("confusion_matrix runs"):
        bad = 0
        for (k, y, yp), ref_cm in zip(cases, ref["cms"], strict=True):
            cm = confusion_matrix(y, yp, k)
            bad += not np.array_equal(cm, ref_cm)
        lab.check_equal("confusion matrices equal sklearn's exactly", bad, 0,
                        f"labelings that differ, of {len(cases)}",
                        hint="rows = true class; np.add.at(cm, (y_true, y_pred), 1) counts "
                             "repeated pairs, cm[y_true, y_pred] += 1 does not")
    # the metric checks below start from the reference matrix, so each exercise is
    # checked on its own
    cms = [cm.copy() for cm in ref["cms"]]

    lab.section(f"accuracy vs sklearn (rtol {cfg.tol:g})")
    with lab.guard("accuracy runs"):
        lab.check_close("accuracy = accuracy_score", [accuracy(cm) for cm in cms],
                        ref["accuracy"], rtol=cfg.tol,
                        hint="trace(cm) / cm.sum(), balanced only when asked")
        lab.check_close("balanced accuracy = balanced_accuracy_score",
                        [accuracy(cm, balanced=True) for cm in cms],
                        ref["balanced"], rtol=cfg.tol,
                        hint="mean recall over the classes with row sum > 0")

    lab.section(f"precision, recall, F-beta vs precision_recall_fscore_support (rtol {cfg.tol:g})")
    with lab.guard("precision_recall_fscore runs"):
        for beta, avg in AVERAGES:
            mine = [precision_recall_fscore(cm, avg, beta) for cm in cms]
            lab.check_close(f"{avg}, beta={beta:g}: (P, R, F) on all labelings",
                            np.array(mine, dtype=np.float64), ref["averages"][beta, avg],
                            rtol=cfg.tol,
                            hint=AVG_HINTS[avg] if beta == 1 else "beta enters squared")
        per_mine = np.concatenate([np.stack(precision_recall_fscore(cm)) for cm in cms], axis=1)
        lab.check_close("per-class (P, R, F1) for every class of every labeling", per_mine,
                        ref["per_class"], rtol=cfg.tol,
                        hint="precision: a column of cm; recall: a row")
        binary = [cm for cm, (k, _, _) in zip(cms, cases, strict=True) if k == 2]
        lab.check_close("binary (positive class 1): P, R, F1",
                        [precision_recall_fscore(cm, "binary") for cm in binary],
                        ref["binary"], rtol=cfg.tol, hint="binary: the positive class is 1")
        micro_f = [precision_recall_fscore(cm, "micro")[2] for cm in cms]
        lab.check_close("micro-F1 = accuracy (single-label data)", micro_f,
                        ref["accuracy"], rtol=cfg.tol,
                        hint="micro: sum TP, FP, FN over the classes first, then divide")
        # class 2 never occurs and is never predicted; class 3 is predicted once, never true
        cm0 = np.array([[3, 1, 0, 1], [2, 4, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
        want = [[3 / 5, 4 / 5, 0, 0], [3 / 5, 4 / 6, 0, 0],
                [3 / 5, 8 / 11, 0, 0]]  # P, R, F1 per class; 0/0 -> 0
        lab.check_close("zero division: absent and never-true classes get 0, not nan",
                        np.stack(precision_recall_fscore(cm0)), np.array(want), rtol=1e-12,
                        atol=1e-15, hint="np.divide(a, b, out=zeros, where=b > 0)")
        lab.check_close("macro over all 4 classes (absent ones as 0) vs weighted by support",
                        [precision_recall_fscore(cm0, "macro")[2],
                         precision_recall_fscore(cm0, "weighted")[2]],
                        [(3 / 5 + 8 / 11) / 4, (5 * 3 / 5 + 6 * 8 / 11) / 11], rtol=1e-12,
                        hint="macro divides by K; weighted uses the row sums (support)")

    lab.section("why accuracy misleads on imbalanced data")
    rows: dict = {}
    with lab.guard("imbalanced example"):
        y = (rng.random(2000) < 0.05).astype(int)  # 5 % positives
        always_neg = np.zeros_like(y)
        noisy = np.where(rng.random(2000) < 0.85, y, 1 - y)  # flips 15 % of labels
        for name, pred in (("always negative", always_neg), ("85%-accurate detector", noisy)):
            cm = confusion_matrix(y, pred, 2)
            rows[name] = [accuracy(cm), precision_recall_fscore(cm, "binary")[2],
                          precision_recall_fscore(cm, "macro")[2], accuracy(cm, balanced=True)]
            lab.metric(f"accuracy [{name}]", rows[name][0])
            lab.metric(f"positive-class F1 [{name}]", rows[name][1])
        lab.check("the useless classifier wins on accuracy but loses on F1 and balanced accuracy",
                  rows["always negative"][0] > rows["85%-accurate detector"][0]
                  and all(rows["always negative"][i] < rows["85%-accurate detector"][i]
                          for i in (1, 2, 3)),
                  "acc higher, F1/macro-F1/balanced lower", str(np.round(list(rows.values()), 3)))
        lab.table("imbalanced", ["classifier", "accuracy", "positive-class F1", "macro F1",
                                 "balanced accuracy"], [[k, *v] for k, v in rows.items()],
                  title=f"{int(y.sum())} positives in {len(y)}: accuracy alone misleads")

    lab.section("a real classifier: Gaussian naive Bayes on sklearn's digits")
    digits = digits_reference(lab.seed)
    cm_ref = digits["cm"].copy()
    lab.log("  " + digits["report"].replace("\n", "\n  "))
    with lab.guard("digits metrics"):
        lab.check_close("digits: macro / weighted / micro F1 = sklearn f1_score",
                        [precision_recall_fscore(cm_ref, a)[2] for a in ("macro", "weighted",
                                                                         "micro")],
                        digits["f1"], rtol=cfg.tol)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1.1, 1]})
    im = axes[0].imshow(cm_ref, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm_ref):
        axes[0].text(j, i, v, ha="center", va="center", fontsize=7,
                     color="white" if v > cm_ref.max() / 2 else "black")
    axes[0].set(xlabel="predicted", ylabel="true", xticks=range(10), yticks=range(10),
                title=f"digits, GaussianNB: accuracy {np.trace(cm_ref) / cm_ref.sum():.3f}")
    fig.colorbar(im, ax=axes[0], fraction=0.046)
    p, r, f = digits["prf"]
    for off, (name, v) in zip((-0.27, 0, 0.27), (("precision", p), ("recall", r), ("F1", f)),
                              strict=True):
        axes[1].bar(np.arange(10) + off, v, width=0.27, label=name)
    axes[1].set(xlabel="class", ylim=(0, 1.2), xticks=range(10), title="per-class metrics")
    axes[1].legend(fontsize=8, loc="upper center", ncol=3)
    lab.savefig(fig, "digits_confusion.png")
    if "always negative" in rows:
        lab.conclude(f"Your confusion matrix, accuracy and P/R/F-beta matched scikit-learn to "
                     f"{cfg.tol:g} on {len(cases)} random labelings (macro, micro, weighted, "
                     f"zero division as 0); with 5% positives, always predicting negative scored "
                     f"accuracy {rows['always negative'][0]:.2f} but positive-class F1 "
                     f"{rows['always negative'][1]:.2f}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("classification-metrics", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
