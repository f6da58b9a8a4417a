"""Probability and statistics for deep learning: distributions, inference and validation.

A model's loss is usually a negative log-likelihood, so training is maximum-likelihood
estimation (MLE): pick the parameters under which the data are most probable. For a
Gaussian the answer has a closed form: the sample mean and the *biased* standard deviation
sqrt(mean (x - mean)^2), which divides by n, not n - 1. Inference asks how sure we are: a
percentile bootstrap confidence interval resamples the data with replacement, recomputes
the statistic on each resample and takes the (1 - level)/2 and (1 + level)/2 quantiles. A
permutation test asks how often a difference as large as the observed one appears when
the group labels mean nothing: pool both samples, shuffle, split, recompute.

Validation of a statistical procedure is itself empirical. A 95% interval must cover the
truth in about 95% of repeated experiments *and* a 80% interval in about 80% (an interval
that is right at one level only is wrong); its width must shrink like sigma / sqrt(n). A
5% test must reject a true null about 5% of the time and still detect a real effect (power).
Each check below repeats the experiment 1000 times, so a coverage off by 5 points is more
than 4 standard errors away.

You write the Gaussian negative log-likelihood, the percentile bootstrap and the permutation
test. They are checked against torch.distributions, the closed-form MLE (reached by
Newton's method on your NLL, in float64), scipy.stats (bootstrap, permutation_test), the
coverage and width the normal theory predicts at two confidence levels, deterministic edge
cases with exact p-values, and type I error and power over repeated experiments.

$ python labs/probability_statistics.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("gaussian_nll", "bootstrap_ci", "permutation_test")


@dataclass
class Config:
    n: int = 200  # sample size for the MLE fit
    boot_n: int = 40  # sample size in each bootstrap experiment (Gaussian data)
    n_boot: int = 1000  # bootstrap resamples per interval
    levels: tuple = (0.80, 0.95)  # confidence levels whose coverage and width are checked
    repeats: int = 1000  # repeated experiments per coverage / error-rate estimate
    test_n: int = 30  # observations per group in the permutation test
    n_perm: int = 500  # label permutations per test
    alpha: float = 0.05  # significance level of the test
    shift: float = 1.0  # effect size (in standard deviations) for the power check


def gaussian_nll(x: torch.Tensor, mu: torch.Tensor, log_sigma: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood of ``x`` (n,) under N(mu, sigma^2), sigma = exp(log_sigma).

    Per point: -log p(x) = 0.5 * log(2 pi) + log sigma + (x - mu)^2 / (2 sigma^2); return the
    mean over the n points as a scalar tensor that autograd can differentiate, in the
    inputs' dtype (float64 here).
    """
    z = (x - mu) / torch.exp(log_sigma)
    return (0.5 * math.log(2 * math.pi) + log_sigma + 0.5 * z**2).mean()


def bootstrap_ci(x: np.ndarray, stat, level: float, n_boot: int,
                 rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval for ``stat`` of a sample ``x`` (n,).

    Draw ``n_boot`` resamples of size n *with replacement* (indices from ``rng``), compute
    ``stat(resample)`` on each (``stat`` accepts ``axis=-1`` for a batch of resamples) and
    return the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of those n_boot values
    as two floats. ``level`` is the confidence level, e.g. 0.95.
    """
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))  # (n_boot, n) indices, with replacement
    stats = stat(x[idx], axis=-1)  # (n_boot,)
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def permutation_test(a: np.ndarray, b: np.ndarray, n_perm: int,
                     rng: np.random.Generator) -> float:
    """Two-sided permutation p-value for a difference in means between samples ``a`` and ``b``.

    Pool the samples; ``n_perm`` times shuffle the pooled values with ``rng`` and split them
    into groups of the original sizes. Count the shuffles whose |mean difference| is ``>=``
    the observed |mean(a) - mean(b)| (ties count) and return (1 + count) / (1 + n_perm).
    """
    observed = abs(a.mean() - b.mean())
    pooled = np.concatenate([a, b])
    shuffled = rng.permuted(np.tile(pooled, (n_perm, 1)), axis=1)  # (n_perm, n_a + n_b)
    diffs = np.abs(shuffled[:, :len(a)].mean(1) - shuffled[:, len(a):].mean(1))  # (n_perm,)
    return float((1 + np.sum(diffs >= observed - 1e-12)) / (1 + n_perm))


def expected_coverage(level: float, n: int) -> float:
    """Coverage of a percentile bootstrap interval for a Gaussian mean, n points.

    The bootstrap distribution of the mean is ~ N(mean, s^2 / n) with s the biased std, so
    the interval is mean +- z s / sqrt(n); (mean - mu) / (s' / sqrt(n)) is t with n - 1
    degrees of freedom, s' the unbiased std.
    """
    from scipy import stats as st

    z = st.norm.ppf((1 + level) / 2)
    return float(2 * st.t.cdf(z * math.sqrt((n - 1) / n), n - 1) - 1)


def body(lab: kit.Lab) -> None:
    from scipy import stats as st  # scipy is the independent oracle for the inference part

    cfg = Config(repeats=lab.pick(1000, 4000), n_perm=lab.pick(500, 2000))
    rng = np.random.default_rng(lab.seed)
    dev, f64 = lab.torch_device, torch.float64
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))

    lab.section("maximum likelihood for a Gaussian vs closed form")
    x_np = rng.normal(3.0, 2.0, size=cfg.n)
    x = torch.tensor(x_np, dtype=f64, device=dev)
    mu_hat = sigma_hat = float("nan")
    with lab.guard("gaussian_nll runs"):
        mu0 = torch.tensor(0.5, dtype=f64, device=dev)
        ls0 = torch.tensor(0.3, dtype=f64, device=dev)
        ref = -torch.distributions.Normal(mu0, torch.exp(ls0)).log_prob(x).mean()
        lab.check_close("NLL = -torch.distributions.Normal.log_prob (mean)",
                        gaussian_nll(x, mu0, ls0), ref, rtol=1e-10,
                        hint="the quadratic term divides by sigma^2 = exp(2 log_sigma)")
        # minimise the NLL by Newton's method, gradient and Hessian from autograd (float64)
        params = torch.tensor([float(x.median()), 0.0], dtype=f64, device=dev)  # (mu, log_sigma)
        for _ in range(50):
            p = params.clone().requires_grad_(True)
            (g,) = torch.autograd.grad(gaussian_nll(x, p[0], p[1]), p, create_graph=True)
            H = torch.stack([torch.autograd.grad(g[i], p, retain_graph=True)[0] for i in range(2)])
            step = torch.linalg.lstsq(H, g.detach()[:, None]).solution[:, 0]
            params = params - step.clamp(-1.0, 1.0)  # clamp: damped steps far from the optimum
        mu_hat, sigma_hat = float(params[0]), float(torch.exp(params[1]))
        mu_cf = x_np.mean()  # closed form: sample mean
        sigma_cf = np.sqrt(np.mean((x_np - mu_cf) ** 2))  # closed form: biased std (divide by n)
        lab.check_close("argmin of your NLL = (sample mean, biased std)", [mu_hat, sigma_hat],
                        [mu_cf, sigma_cf], rtol=1e-6, hint="d NLL / d log_sigma = 1 - z^2: the "
                        "log sigma term is what stops sigma from growing forever")
        lab.metric("mu_hat", mu_hat)
        lab.metric("sigma_hat", sigma_hat)
        lab.metric("unbiased_std (not the MLE)", x_np.std(ddof=1))
    grid = np.linspace(x_np.min(), x_np.max(), 200)
    axes[0].hist(x_np, bins=25, density=True, alpha=0.5, label="data")
    if np.isfinite(sigma_hat):
        axes[0].plot(grid, st.norm.pdf(grid, mu_hat, sigma_hat), label="MLE fit")
    axes[0].set(title="Gaussian MLE", xlabel="x")
    axes[0].legend(fontsize=8)

    lab.section(f"bootstrap intervals: coverage and width over {cfg.repeats} experiments")
    rows = []
    with lab.guard("bootstrap_ci runs"):
        skewed = rng.exponential(2.0, size=60)
        lo, hi = bootstrap_ci(skewed, np.mean, 0.9, cfg.n_boot, rng)
        ref = st.bootstrap((skewed,), np.mean, confidence_level=0.9, n_resamples=cfg.n_boot,
                           method="percentile", rng=np.random.default_rng(lab.seed + 1))
        ci = ref.confidence_interval
        same = [bootstrap_ci(skewed, np.mean, 0.9, 200, np.random.default_rng(5)) for _ in "ab"]
        lab.check_equal("reproducible: the same rng seed gives the same interval",
                        bool(np.array_equal(same[0], same[1])), True,
                        hint="draw every index from the rng you are given")
        lab.check_close("90% interval = scipy.stats.bootstrap percentile (tol 8% of width)",
                        [lo, hi], [ci.low, ci.high], rtol=0, atol=0.08 * (ci.high - ci.low),
                        hint="quantiles (1 - level)/2 and (1 + level)/2 of the resampled stats")
        for level in cfg.levels:
            z = st.norm.ppf((1 + level) / 2)
            covered, ratio = 0, []
            for r in range(cfg.repeats):
                s = rng.normal(3.0, 2.0, size=cfg.boot_n)
                a, b = bootstrap_ci(s, np.mean, level, cfg.n_boot, rng)
                covered += a <= 3.0 <= b
                ratio.append((b - a) / (2 * z * s.std() / math.sqrt(cfg.boot_n)))
                if r < 50 and level == cfg.levels[-1]:  # draw the first 50 intervals
                    axes[1].plot([a, b], [r, r], color="C0" if a <= 3.0 <= b else "C3", lw=1.5)
            cov, want = covered / cfg.repeats, expected_coverage(level, cfg.boot_n)
            band = 4 * math.sqrt(want * (1 - want) / cfg.repeats)
            lab.check_close(f"{level:.0%} interval covers the true mean in {want:.1%} of "
                            "experiments (4 s.e.)", cov, want, rtol=0, atol=band,
                            hint="resample with replacement, and use both tails of the level")
            lab.check_close(f"{level:.0%} interval width = 2 z s / sqrt(n) (mean ratio)",
                            float(np.mean(ratio)), 1.0, rtol=0, atol=0.02,
                            hint="a too narrow interval: resample size n, quantiles from level")
            rows.append([f"{level:.0%}", want, cov, float(np.mean(ratio))])
        lab.table("bootstrap_coverage", ["level", "expected coverage", "your coverage",
                                         "width / normal theory"], rows,
                  title=f"percentile bootstrap, Gaussian mean, n = {cfg.boot_n}")
        lab.metric("coverage_at_" + f"{cfg.levels[-1]:.2f}", rows[-1][2])
        axes[1].axvline(3.0, color="k", ls="--", lw=1)
        axes[1].set(title=f"50 of your {cfg.levels[-1]:.0%} intervals (red: missed)",
                    xlabel="interval for the mean (true mean 3, dashed)", ylabel="experiment")

    lab.section("permutation test: p-value, exact edge cases, type I error, power")
    p_null: np.ndarray | list = []
    p_alt: list = []
    with lab.guard("permutation_test runs"):
        a = rng.normal(0.0, 1.0, cfg.test_n)
        b = rng.normal(0.5, 1.0, cfg.test_n)  # a moderate effect
        p = permutation_test(a, b, 5000, rng)
        ref = st.permutation_test((a, b), lambda u, v, axis: np.mean(u, axis) - np.mean(v, axis),
                                  n_resamples=5000, alternative="two-sided", vectorized=True,
                                  rng=np.random.default_rng(lab.seed + 2)).pvalue
        tol = 4 * math.sqrt(ref * (1 - ref)) * 2 * 5000**-0.5 + 2 / 5000
        lab.check_close("p-value = scipy.stats.permutation_test's (5000 shuffles each)", p, ref,
                        rtol=0, atol=tol, hint="compare |shuffled difference| with |observed|")
        lab.metric("p_value", p)
        lab.metric("welch_t_test_p_value", st.ttest_ind(a, b, equal_var=False).pvalue)
        same = [permutation_test(a, b, 200, np.random.default_rng(5)) for _ in "ab"]
        lab.check_equal("reproducible: the same rng seed gives the same p-value",
                        same[0] == same[1], True, hint="shuffle with the rng you are given")
        apart = permutation_test(np.zeros(20), np.ones(20), cfg.n_perm, rng)
        lab.check_close("no shuffle reaches the observed difference: p = 1 / (1 + n_perm)",
                        apart, 1 / (1 + cfg.n_perm), rtol=1e-12,
                        hint="(1 + count) / (1 + n_perm): never report p = 0")
        same = np.tile([0.0, 1.0], 10)
        lab.check_close("identical groups: every shuffle ties, p = 1",
                        permutation_test(same, same.copy(), cfg.n_perm, rng), 1.0, rtol=1e-12,
                        hint="ties count: use >=")
        p_null = np.array([permutation_test(rng.normal(size=cfg.test_n),
                                            rng.normal(size=cfg.test_n), cfg.n_perm, rng)
                           for _ in range(cfg.repeats)])
        type1 = float(np.mean(p_null <= cfg.alpha))
        band = 4 * math.sqrt(cfg.alpha * (1 - cfg.alpha) / cfg.repeats)
        lab.check_close(f"type I error under H0 = alpha {cfg.alpha} ({cfg.repeats} tests, 4 s.e.)",
                        type1, cfg.alpha, rtol=0, atol=band,
                        hint="shuffle the pooled labels, so values move between the groups")
        p_alt = [permutation_test(rng.normal(size=cfg.test_n),
                                  rng.normal(cfg.shift, 1.0, size=cfg.test_n), cfg.n_perm, rng)
                 for _ in range(cfg.repeats // 2)]
        power = float(np.mean(np.array(p_alt) <= cfg.alpha))
        df = 2 * cfg.test_n - 2
        t_power = st.nct.sf(st.t.ppf(1 - cfg.alpha / 2, df), df,
                            cfg.shift * math.sqrt(cfg.test_n / 2))  # t-test power, a close guide
        lab.check_ge(f"power at a {cfg.shift} sd shift >= t-test power {t_power:.2f} - 0.07",
                     power, t_power - 0.07)
        lab.metric("type_I_error", type1)
        lab.metric("power", power)
    if len(p_null) and p_alt:
        axes[2].hist(p_null, bins=20, range=(0, 1), density=True, alpha=0.6, label="H0 true")
        axes[2].hist(p_alt, bins=20, range=(0, 1), density=True, alpha=0.6, label="H1 true")
        axes[2].set(title="p-values: uniform under H0", xlabel="p")
        axes[2].legend(fontsize=8)
    lab.savefig(fig, "inference.png")
    if rows and len(p_null) and p_alt:
        lab.conclude(f"Your MLE matched the closed form (sigma divides by n); your "
                     f"{rows[0][0]} and {rows[1][0]} bootstrap intervals covered the truth in "
                     f"{rows[0][2]:.1%} and {rows[1][2]:.1%} of {cfg.repeats} experiments "
                     f"(theory {rows[0][1]:.1%}, {rows[1][1]:.1%}), and your permutation test "
                     f"rejected a true null {type1:.1%} of the time at alpha {cfg.alpha} with "
                     f"power {power:.2f}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("probability-statistics", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
