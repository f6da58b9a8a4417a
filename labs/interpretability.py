"""Interpretability: LIME and SHAP (Kernel SHAP) by hand, checked against exact Shapley values.

Why did the model predict this? Two model-agnostic answers, both only calling f:

* LIME (Ribeiro et al. 2016) samples points around x, weights them by closeness
  (exp(-d^2 / width^2)) and fits a weighted linear model: a local surrogate whose
  coefficients say how f changes near x. For a linear f it returns f's weights; for a
  smooth f and a small neighbourhood it approaches the gradient. The proximity kernel is
  what makes it local: for f = a cubic around x, sampled with spread s, the weighted fit
  returns slope + 3 c s^2 width^2 / (width^2 + 2), the unweighted one slope + 3 c s^2.
* SHAP (Lundberg & Lee 2017) gives feature i its Shapley value: the average, over all
  orders of adding features, of how much adding i changes v(S) = E_b[f(x_S, b_rest)]
  (features outside S are filled from a background sample b). Shapley values are the only
  attribution with efficiency (they sum to f(x) - E[f]), symmetry and dummy (an unused
  feature gets 0). Kernel SHAP gets them by a weighted linear regression over coalitions
  with the Shapley kernel (M-1) / (C(M,|S|) |S| (M-|S|)); with every coalition it is exact,
  with a sample of coalitions it is an estimate.

You write exact Shapley values, Kernel SHAP and LIME for an MLP regressor (sklearn, tanh,
diabetes data, 10 features), checked against an independent computation of the subset
formula, the closed forms (w_i (x_i - E b_i) for a linear model; the cubic above),
efficiency and dummy, paired sampling's exactness on pairwise interactions and the MLP's
gradient. The plot shows SHAP, data-scale LIME and narrow LIME (a gradient) answering
different questions. Float32 is fine for LIME; the Shapley identities are checked to 1e-8
in float64, the model's own dtype.

$ python labs/interpretability.py --quick
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("exact_shapley", "kernel_shap", "lime_explain")


@dataclass
class Config:
    hidden: int = 32  # MLP hidden units (tanh)
    n_background: int = 100  # background rows that stand in for "feature unknown"
    budgets: tuple = (64, 128, 256, 512)  # sampled Kernel SHAP coalition budgets (of 2^10 - 2)
    repeats: int = 5  # seeds per budget for the convergence curve
    lime_samples: int = 4000  # perturbed points per LIME explanation
    lime_scale: float = 0.02  # LIME perturbation std, as a fraction of each feature's std
    lime_width: float = 1.0  # LIME kernel width (in units of the perturbation std)
    cubic_samples: int = 30000  # LIME samples for the closed-form cubic check


def coalition_values(f, x, background, masks):
    """v(S) for each row of ``masks`` (K, M) bool: mean_b f(where(S, x, b)) -> (K,)."""
    K, M = masks.shape
    z = np.where(masks[:, None, :], x[None, None, :], background[None, :, :])  # (K, N, M)
    return f(z.reshape(-1, M)).reshape(K, len(background)).mean(axis=1)


def _shapley_oracle(f, x, background):
    """Exact Shapley values by the subset formula, vectorised: coalition k is the integer
    whose bit i says whether feature i is in it, so S + {i} is k + 2^i."""
    M = len(x)
    codes = np.arange(2**M)
    masks = (codes[:, None] >> np.arange(M)) & 1 == 1  # (2^M, M)
    v = coalition_values(f, x, background, masks)
    size = masks.sum(1)
    weight = np.array([math.factorial(k) * math.factorial(M - k - 1) / math.factorial(M)
                       if k < M else 0.0 for k in range(M + 1)])[size]  # (2^M,)
    return np.array([np.sum((weight * (v[np.minimum(codes + 2**i, 2**M - 1)] - v))[~masks[:, i]])
                     for i in range(M)])


def exact_shapley(f, x, background):
    """Exact Shapley values (M,) of f at x over all 2^M coalitions S of the M features.

    v(S) = mean over the background rows b of f(x on S, b elsewhere) (average f's outputs,
    do not plug in the background's mean row); phi_i = sum over S not containing i of
    |S|! (M-|S|-1)! / M! * (v(S + i) - v(S)). ``coalition_values(f, x, background, masks)``
    evaluates v for a (K, M) bool array of masks at once.
    """
    M = x.shape[0]
    masks = np.array(list(itertools.product([False, True], repeat=M)))  # (2^M, M)
    v = dict(zip(map(tuple, masks), coalition_values(f, x, background, masks), strict=True))
    phi = np.zeros(M)
    for S, vS in v.items():
        s = sum(S)
        for i in range(M):
            if not S[i]:
                with_i = S[:i] + (True,) + S[i + 1:]
                weight = math.factorial(s) * math.factorial(M - s - 1) / math.factorial(M)
                phi[i] += weight * (v[with_i] - vS)
    return phi


def kernel_shap(f, x, background, n_coalitions=None, rng=None):
    """Kernel SHAP (M,): weighted least squares over coalitions with sum(phi) = f(x) - E f.

    Fit v(S) - v(empty) ~ sum_{i in S} phi_i over coalitions S (v as in exact_shapley,
    E f = v(empty) the mean of f over the background) under the exact constraint
    sum(phi) = f(x) - E f.
    n_coalitions=None: all 2^M - 2 proper coalitions, weighted by the Shapley kernel
    (M-1) / (C(M,|S|) |S| (M-|S|)) (then the answer is exact). Otherwise draw
    n_coalitions // 2 coalitions from the kernel with ``rng`` (a size s with probability
    proportional to (M-1) / (s (M-s)), then a uniform subset of that size), add each one's
    complement (paired sampling: it cancels the noise of every pairwise interaction), weight
    all n_coalitions draws equally and evaluate v on every one of them, repeats included.
    """
    M = x.shape[0]
    if n_coalitions is None:
        masks = np.array([m for m in itertools.product([False, True], repeat=M)
                          if 0 < sum(m) < M])
        s = masks.sum(1)
        w = (M - 1) / (np.array([math.comb(M, k) for k in s]) * s * (M - s))
    else:
        sizes = np.arange(1, M)
        p = (M - 1) / (sizes * (M - sizes))
        drawn = rng.choice(sizes, size=n_coalitions // 2, p=p / p.sum())
        half = np.zeros((len(drawn), M), dtype=bool)
        for row, k in enumerate(drawn):
            half[row, rng.choice(M, size=k, replace=False)] = True
        masks = np.vstack([half, ~half])  # paired sampling: S and its complement
        w = np.ones(len(masks))
    v0 = coalition_values(f, x, background, np.zeros((1, M), dtype=bool))[0]  # E f
    delta = f(x[None, :])[0] - v0  # f(x) - E f
    y = coalition_values(f, x, background, masks) - v0  # (K,)
    Z = masks.astype(np.float64)
    # eliminate phi_M = delta - sum_{j<M} phi_j, then weighted least squares for the rest
    A = Z[:, :-1] - Z[:, -1:]
    b = y - Z[:, -1] * delta
    sw = np.sqrt(w)
    head, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
    return np.append(head, delta - head.sum())


def lime_explain(f, x, scale, n_samples, kernel_width, rng):
    """LIME for tabular x (M,): returns (intercept, coef (M,)) of the local surrogate.

    Draw ``n_samples`` points z = x + scale * N(0, 1) with ``rng`` (scale (M,), one spread
    per feature), weight each by the proximity kernel exp(-d^2 / kernel_width^2) with
    d = ||(z - x) / scale|| (distance in units of scale), and fit
    f(z) ~ intercept + coef . (z - x) by weighted least squares (each squared residual
    times its weight).
    """
    M = x.shape[0]
    eps = rng.normal(size=(n_samples, M))  # (n, M) in units of scale
    z = x + eps * scale
    w = np.exp(-(eps**2).sum(1) / kernel_width**2)
    X = np.hstack([np.ones((n_samples, 1)), z - x])  # (n, M+1)
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], f(z) * sw, rcond=None)
    return beta[0], beta[1:]


def body(lab: kit.Lab) -> None:
    from scipy.stats import chisquare
    from sklearn.datasets import load_diabetes
    from sklearn.neural_network import MLPRegressor

    cfg = Config(budgets=lab.pick((64, 128, 256), Config.budgets), repeats=lab.pick(3, 5),
                 n_background=lab.pick(50, Config.n_background))
    rng = np.random.default_rng(lab.seed)
    X, y = load_diabetes(return_X_y=True)
    names = load_diabetes().feature_names
    X = (X - X.mean(0)) / X.std(0)  # standardised features
    y = (y - y.mean()) / y.std()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs may stop at max_iter: fine for this lab
        mlp = MLPRegressor(hidden_layer_sizes=(cfg.hidden,), activation="tanh", solver="lbfgs",
                           alpha=1.0, max_iter=500, random_state=lab.seed).fit(X, y)
    lab.metric("mlp_train_r2", mlp.score(X, y))
    f = mlp.predict
    background = X[rng.choice(len(X), cfg.n_background, replace=False)]
    x = X[rng.integers(len(X))]  # the patient to explain
    w_lin = rng.normal(size=X.shape[1])

    def f_lin(Z):
        return Z @ w_lin + 0.3

    fx, Ef = f(x[None])[0], f(background).mean()
    phi_true = _shapley_oracle(f, x, background)  # the lab's own, independent computation

    lab.section("exact Shapley values (all 2^10 coalitions)")
    phi_exact = None
    with lab.guard("exact_shapley runs"):
        lab.check_close("linear model: Shapley = w_i (x_i - E b_i)",
                        exact_shapley(f_lin, x, background),
                        w_lin * (x - background.mean(0)), rtol=1e-10, atol=1e-12,
                        hint="fill the features outside S from the background rows")
        phi_exact = exact_shapley(f, x, background)
        lab.check_close("MLP: phi = the subset formula, computed independently", phi_exact,
                        phi_true, rtol=1e-8, atol=1e-12,
                        hint="weight |S|! (M-|S|-1)! / M!; v(S) averages f over the rows")
        lab.check_close("efficiency: sum phi = f(x) - E f (MLP)", phi_exact.sum(), fx - Ef,
                        rtol=1e-10, atol=1e-12)
        j, M = 3, len(x)  # the MLP with feature j unplugged ignores it: a dummy feature
        phi_dummy = exact_shapley(lambda Z: f(np.where(np.arange(M) == j, 0.0, Z)), x,
                                  background)
        lab.check_close(f"dummy: unused feature '{names[j]}' gets 0", phi_dummy[j], 0.0,
                        rtol=0, atol=1e-12, hint="S + i must add feature i itself")

    lab.section("Kernel SHAP vs exact Shapley")
    errors: dict = {}
    with lab.guard("kernel_shap runs"):
        lab.check_close("Kernel SHAP, all coalitions = exact Shapley",
                        kernel_shap(f, x, background), phi_true, rtol=1e-8, atol=1e-12,
                        hint="Shapley-kernel weights, and sum(phi) = f(x) - E f exactly")
        M, Qf = len(x), rng.normal(size=(len(x), len(x)))
        f_pairs = lambda Z: ((Z @ Qf) * Z).sum(1) + Z @ w_lin  # noqa: E731 - pairwise only
        lab.check_close("pairwise-interaction model: 64 paired samples are already exact",
                        kernel_shap(f_pairs, x, background, 64, np.random.default_rng(3)),
                        _shapley_oracle(f_pairs, x, background), rtol=1e-8, atol=1e-10,
                        hint="add the complement of every drawn coalition")
        same = [kernel_shap(f, x, background, 64, np.random.default_rng(5)) for _ in "ab"]
        lab.check_equal("reproducible: the same rng seed gives the same estimate",
                        bool(np.array_equal(same[0], same[1])), True,
                        hint="draw sizes and subsets with the rng you are given")
        seen: list = []

        def f_rec(Z):  # x = 1 and background = 0: each row f sees is a coalition's mask
            seen.append(np.asarray(Z, dtype=np.float64).copy())
            return Z @ w_lin

        kernel_shap(f_rec, np.ones(M), np.zeros((1, M)), 2000, np.random.default_rng(4))
        sizes = np.concatenate(seen).sum(1).round().astype(int)
        counts = np.bincount(sizes, minlength=M + 1)[1:M]  # proper coalitions by size
        p_size = 1.0 / (np.arange(1, M) * (M - np.arange(1, M)))
        p_fit = chisquare(counts, p_size / p_size.sum() * counts.sum()).pvalue
        lab.check_ge("2000 sampled coalitions, sizes ~ (M-1) / (s (M-s)) (chi-square p)",
                     float(p_fit) if counts.sum() == 2000 else 0.0, 1e-4,
                     hint="draw the size from the kernel, not uniformly")
        for budget in cfg.budgets:
            errs = []
            for r in range(cfg.repeats):
                phi_s = kernel_shap(f, x, background, budget, np.random.default_rng(1000 + r))
                errs.append(np.abs(phi_s - phi_true).max() / np.abs(phi_true).max())
            errors[budget] = float(np.mean(errs))
            lab.log(f"  budget {budget:4d}: mean max error {errors[budget]:.3f} of max |phi|")
        lab.check_close(f"sampled Kernel SHAP ({budget} coalitions) keeps efficiency",
                        phi_s.sum(), fx - Ef, rtol=1e-8, atol=1e-12)
        lab.metric(f"kernel_shap_rel_error_{budget}", errors[budget])  # plotted, not graded

    lab.section("LIME: local linear surrogate")
    lime_coef = cubic_err = None
    scale = cfg.lime_scale * X.std(0)
    with lab.guard("lime_explain runs"):
        a, coef = lime_explain(f_lin, x, np.linspace(0.3, 1.5, len(x)), 200, cfg.lime_width,
                               np.random.default_rng(1))
        lab.check_close("LIME on a linear model returns its weights and f(x)", np.r_[a, coef],
                        np.r_[f_lin(x[None])[0], w_lin], rtol=1e-5, atol=1e-6,
                        hint="regress on z - x, not on the unit-scale noise")
        same = [lime_explain(f, x, scale, 100, 1.0, np.random.default_rng(5))[1] for _ in "ab"]
        lab.check_equal("reproducible: the same rng seed gives the same explanation",
                        bool(np.array_equal(same[0], same[1])), True,
                        hint="draw the perturbations with the rng you are given")
        c, s_cub = rng.normal(size=len(x)), rng.uniform(0.2, 0.6, len(x))  # cubic, spreads
        _, coef = lime_explain(lambda Z: f_lin(Z) + ((Z - x) ** 3) @ c, x, s_cub,
                               cfg.cubic_samples, 1.0, np.random.default_rng(2))
        bend = 3 * c * s_cub**2 * (1.0 / (1.0 + 2.0))  # width 1: E_w[eps^2] = w^2 / (w^2 + 2)
        cubic_err = float(np.linalg.norm(coef - (w_lin + bend)) / np.linalg.norm(bend))
        lab.check_le("cubic f: coef = w + 3 c s^2 width^2 / (width^2 + 2) (error / bend)",
                     cubic_err, 0.15, hint="weight each sample by exp(-||(z - x) / scale||^2 / "
                                           "width^2) and multiply rows by sqrt(weight)")
        h = 1e-5  # oracle: centered finite differences of the MLP
        grad = np.array([(f((x + h * e)[None])[0] - f((x - h * e)[None])[0]) / (2 * h)
                         for e in np.eye(len(x))])
        _, lime_coef = lime_explain(f, x, scale, cfg.lime_samples, cfg.lime_width, rng)
        rel = float(np.linalg.norm(lime_coef - grad) / np.linalg.norm(grad))
        lab.check_le("LIME (narrow kernel) = MLP gradient: ||coef - grad|| / ||grad||", rel, 0.05)
        # LIME's usual tabular setting: perturb on the data's own scale, width 0.75 sqrt(M)
        _, wide = lime_explain(f, x, X.std(0), cfg.lime_samples, 0.75 * np.sqrt(len(x)), rng)
        lab.metric("lime_wide_vs_gradient", np.linalg.norm(wide - grad) / np.linalg.norm(grad))

    if phi_exact is not None and lime_coef is not None and errors and cubic_err is not None:
        dx = x - background.mean(0)
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 5))
        pos = np.arange(len(names))
        ax1.barh(pos + 0.27, phi_exact, 0.27, label="SHAP value (exact)")
        ax1.barh(pos, wide * dx, 0.27, label="LIME, data-scale kernel: coef x (x - mean)")
        ax1.barh(pos - 0.27, lime_coef * dx, 0.27,
                 label="LIME, narrow kernel (= gradient x (x - mean))")
        ax1.set(yticks=pos, yticklabels=names, xlabel="contribution to prediction",
                title=f"why f(x) = {f(x[None])[0]:.2f} (E f = {f(background).mean():.2f})")
        ax1.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=1)
        ax2.plot(list(errors), list(errors.values()), "o-")
        ax2.set(xscale="log", yscale="log", xlabel="coalitions sampled",
                ylabel="max |phi - exact| / max |phi|", title="Kernel SHAP converges")
        lab.savefig(fig, "shap_lime.png")
        lab.conclude(f"Your exact Shapley values summed to f(x) - E f = {fx - Ef:.3f} and "
                     f"matched the subset formula; your Kernel SHAP was exact over all "
                     f"coalitions and within {errors[max(errors)]:.0%} of it from "
                     f"{max(errors)} samples; your LIME matched the kernel-weighted closed "
                     f"form on a cubic to {cubic_err:.0%} and the MLP's gradient for a narrow "
                     f"kernel.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("interpretability", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
