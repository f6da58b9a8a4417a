"""Another idiom: group rates with pandas groupby, reweighing from a normalised crosstab,
and WEAT with scipy's cdist and a permutation count over index masks."""

import itertools

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist


def fairness_gaps(y_true, y_pred, group):
    df = pd.DataFrame({"y": np.asarray(y_true), "p": np.asarray(y_pred),
                       "g": np.asarray(group)})
    sel = df.groupby("g")["p"].mean()
    by_label = df.groupby(["y", "g"])["p"].mean()
    tpr, fpr = by_label.loc[1], by_label.loc[0]
    dp = sel.max() - sel.min()
    eo = max(tpr.max() - tpr.min(), fpr.max() - fpr.min())
    return float(dp), float(eo)


def reweighing_weights(group, y):
    df = pd.DataFrame({"g": np.asarray(group), "y": np.asarray(y)})
    joint = pd.crosstab(df["g"], df["y"], normalize=True)
    p_g = joint.sum(axis=1)
    p_y = joint.sum(axis=0)
    expected = np.outer(p_g, p_y) / joint.to_numpy()
    table = pd.DataFrame(expected, index=joint.index, columns=joint.columns)
    return np.array([table.at[g, c] for g, c in zip(df["g"], df["y"], strict=True)],
                    dtype=np.float64)


def weat(x, y, a, b):
    x, y, a, b = (np.asarray(v, dtype=np.float64) for v in (x, y, a, b))
    def assoc(w):
        return (1 - cdist(w, a, "cosine")).mean(axis=1) - (1 - cdist(w, b, "cosine")).mean(axis=1)

    sx, sy = assoc(x), assoc(y)
    both = np.concatenate([sx, sy])
    d = (sx.mean() - sy.mean()) / np.std(both, ddof=1)
    obs = sx.sum() - sy.sum()
    total, hits, count = both.sum(), 0, 0
    for chosen in itertools.combinations(range(both.size), sx.size):
        part = both[list(chosen)].sum()
        hits += part - (total - part) >= obs - 1e-12
        count += 1
    return float(d), hits / count
