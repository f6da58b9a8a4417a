"""Probability and statistics for deep learning: distributions, inference and validation.

A model's loss is usually a negative log-likelihood, so training is maximum-likelihood
estimation (MLE): pick the parameters under which the data are most probable. For a
Gaussian the answer has a closed form (the sample mean and the biased standard
deviation). Inference asks how sure we are: a bootstrap confidence interval resamples the
data to see how much a statistic moves, and a permutation test asks how often a
difference as large as the observed one appears when the group labels mean nothing.
Validation of a statistical procedure is itself empirical: a 90% interval should cover
the truth in about 90% of repeated experiments, and a 5% test should reject a true null
about 5% of the time.

This lab writes the Gaussian negative log-likelihood, the percentile bootstrap and a
permutation test by hand, and checks them against torch.distributions, the closed-form
MLE (reached by Newton's method with autograd derivatives), scipy.stats (bootstrap,
permutation_test) and coverage / error rates over repeated experiments.

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
    boot_n: int = 60  # sample size in each bootstrap experiment (skewed exponential data)
    n_boot: int = 1000  # bootstrap resamples per interval
    level: float = 0.90  # confidence level of the bootstrap intervals
    repeats: int = 400  # repeated experiments to measure coverage and error rates
    test_n: int = 30  # observations per group in the permutation test
    n_perm: int = 500  # label permutations per test
    alpha: float = 0.05  # significance level of the test
    shift: float = 1.0  # effect size (in standard deviations) for the power check


def gaussian_nll(x: torch.Tensor, mu: torch.Tensor, log_sigma: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood of ``x`` (n,) under N(mu, sigma^2), sigma = exp(log_sigma).

    -log p(x) = 0.5 * log(2 pi) + log sigma + (x - mu)^2 / (2 sigma^2); returns a scalar.
    """
    z = (x - mu) / torch.exp(log_sigma)
    return (0.5 * math.log(2 * math.pi) + log_sigma + 0.5 * z**2).mean()


def bootstrap_ci(x: np.ndarray, stat, level: float, n_boot: int,
                 rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval for ``stat`` of a sample ``x`` (n,).

    Draw ``n_boot`` resamples of size n with replacement, compute ``stat(resamples, axis=-1)``
    on all of them at once and return the (1 - level)/2 and (1 + level)/2 quantiles.
    """
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))  # (n_boot, n) indices, with replacement
    stats = stat(x[idx], axis=-1)  # (n_boot,)
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def permutation_test(a: np.ndarray, b: np.ndarray, n_perm: int,
                     rng: np.random.Generator) -> float:
    """Two-sided permutation p-value for a difference in means between samples ``a`` and ``b``.

    Pool the samples, shuffle the pooled labels ``n_perm`` times, and return
    (1 + #{|mean diff of shuffle| >= |observed diff|}) / (1 + n_perm).
    """
    observed = abs(a.mean() - b.mean())
    pooled = np.concatenate([a, b])
    shuffled = rng.permuted(np.tile(pooled, (n_perm, 1)), axis=1)  # (n_perm, n_a + n_b)
    diffs = np.abs(shuffled[:, :len(a)].mean(1) - shuffled[:, len(a):].mean(1))  # (n_perm,)
    return float((1 + np.sum(diffs >= observed - 1e-12)) / (1 + n_perm))


def body(lab: kit.Lab) -> None:
    from scipy import stats as st  # scipy is the independent oracle for the inference part

    cfg = Config(repeats=lab.pick(300, 1000), n_boot=lab.pick(1000, 2000), boot_n=lab.pick(60, 150),
                 n_perm=lab.pick(500, 2000))
    rng = np.random.default_rng(lab.seed)
    dev, f64 = lab.torch_device, torch.float64
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))

    lab.section("maximum likelihood for a Gaussian vs closed form")
    x_np = rng.normal(3.0, 2.0, size=cfg.n)
    x = torch.tensor(x_np, dtype=f64, device=dev)
    with lab.guard("gaussian_nll runs"):
        mu0 = torch.tensor(0.5, dtype=f64, device=dev)
        ls0 = torch.tensor(0.3, dtype=f64, device=dev)
        ref = -torch.distributions.Normal(mu0, torch.exp(ls0)).log_prob(x).mean()
        lab.check_close("NLL = -torch.distributions.Normal.log_prob", gaussian_nll(x, mu0, ls0),
                        ref, rtol=1e-10)
        # minimise the NLL by Newton's method, gradient and Hessian from autograd (float64)
        params = torch.tensor([float(x.median()), 0.0], dtype=f64, device=dev)  # (mu, log_sigma)
        for _ in range(50):
            p = params.clone().requires_grad_(True)
            (g,) = torch.autograd.grad(gaussian_nll(x, p[0], p[1]), p, create_graph=True)
            H = torch.stack([torch.autograd.grad(g[i], p, retain_graph=True)[0] for i in range(2)])
            step = torch.linalg.solve(H, g.detach())
            params = params - step.clamp(-1.0, 1.0)  # clamp: damped steps far from the optimum
        mu_hat, sigma_hat = float(params[0]), float(torch.exp(params[1]))
        mu_cf = x_np.mean()  # closed form: sample mean
        sigma_cf = np.sqrt(np.mean((x_np - mu_cf) ** 2))  # closed form: biased std (divide by n)
        lab.check_close("argmin NLL: mu = sample mean", mu_hat, mu_cf, rtol=1e-6)
        lab.check_close("argmin NLL: sigma = sqrt(mean (x - mean)^2)", sigma_hat, sigma_cf,
                        rtol=1e-6)
        lab.metric("mu_hat", mu_hat)
        lab.metric("sigma_hat", sigma_hat)
        grid = np.linspace(x_np.min(), x_np.max(), 200)
        axes[0].hist(x_np, bins=25, density=True, alpha=0.5, label="data")
        axes[0].plot(grid, st.norm.pdf(grid, mu_hat, sigma_hat), label="MLE fit")
        axes[0].set(title="Gaussian MLE", xlabel="x")
        axes[0].legend(fontsize=8)

    lab.section(f"bootstrap {cfg.level:.0%} interval for the mean of exponential data")
    true_mean = 2.0  # exponential(scale=2): skewed, mean 2
    with lab.guard("bootstrap_ci runs"):
        sample = rng.exponential(true_mean, size=cfg.boot_n)
        lo, hi = bootstrap_ci(sample, np.mean, cfg.level, cfg.n_boot, rng)
        ref = st.bootstrap((sample,), np.mean, confidence_level=cfg.level, n_resamples=cfg.n_boot,
                           method="percentile", rng=np.random.default_rng(lab.seed + 1))
        width = ref.confidence_interval.high - ref.confidence_interval.low
        lab.check_close("interval = scipy.stats.bootstrap percentile (tol 15% of width)",
                        [lo, hi], [ref.confidence_interval.low, ref.confidence_interval.high],
                        rtol=0, atol=0.15 * width)
        covered = 0
        for _ in range(cfg.repeats):
            s = rng.exponential(true_mean, size=cfg.boot_n)
            a, b = bootstrap_ci(s, np.mean, cfg.level, cfg.n_boot, rng)
            covered += a <= true_mean <= b
        coverage = covered / cfg.repeats
        band = 4 * math.sqrt(cfg.level * (1 - cfg.level) / cfg.repeats) + 0.03  # + small-n bias
        lab.check_close(f"coverage over {cfg.repeats} repeats = {cfg.level:.0%} nominal",
                        coverage, cfg.level, rtol=0, atol=band,
                        message=f"percentile bootstrap slightly under-covers at n={cfg.boot_n}")
        lab.metric("coverage", coverage)
        idx = rng.integers(0, cfg.boot_n, size=(cfg.n_boot, cfg.boot_n))
        axes[1].hist(sample[idx].mean(1), bins=40, alpha=0.6)
        for v in (lo, hi):
            axes[1].axvline(v, color="k", ls="--")
        axes[1].set(title=f"bootstrap means, {cfg.level:.0%} CI; coverage {coverage:.2f}",
                    xlabel="mean")

    lab.section("permutation test: p-value, type I error, power")
    with lab.guard("permutation_test runs"):
        a = rng.normal(0.0, 1.0, cfg.test_n)
        b = rng.normal(0.3, 1.0, cfg.test_n)  # a small effect
        p = permutation_test(a, b, cfg.n_perm, rng)
        ref = st.permutation_test((a, b), lambda u, v, axis: np.mean(u, axis) - np.mean(v, axis),
                                  n_resamples=5000, alternative="two-sided", vectorized=True,
                                  rng=np.random.default_rng(lab.seed + 2)).pvalue
        tol = 4 * math.sqrt(ref * (1 - ref)) * (cfg.n_perm**-0.5 + 5000**-0.5) + 2 / cfg.n_perm
        lab.check_close("p-value = scipy.stats.permutation_test's", p, ref, rtol=0, atol=tol)
        lab.metric("p_value", p)
        lab.metric("welch_t_test_p_value", st.ttest_ind(a, b, equal_var=False).pvalue)
        p_null = np.array([permutation_test(rng.normal(size=cfg.test_n),
                                            rng.normal(size=cfg.test_n), cfg.n_perm, rng)
                           for _ in range(cfg.repeats)])
        type1 = float(np.mean(p_null <= cfg.alpha))
        band = 4 * math.sqrt(cfg.alpha * (1 - cfg.alpha) / cfg.repeats)
        lab.check_close(f"type I error under H0 = alpha {cfg.alpha}", type1, cfg.alpha,
                        rtol=0, atol=band)
        reps = cfg.repeats // 3
        p_alt = [permutation_test(rng.normal(size=cfg.test_n),
                                  rng.normal(cfg.shift, 1.0, size=cfg.test_n), cfg.n_perm, rng)
                 for _ in range(reps)]
        power = float(np.mean(np.array(p_alt) <= cfg.alpha))
        t_power = st.nct.sf(st.t.ppf(1 - cfg.alpha / 2, 2 * cfg.test_n - 2), 2 * cfg.test_n - 2,
                            cfg.shift * math.sqrt(cfg.test_n / 2))  # t-test power, a close guide
        lab.check_ge(f"power at a {cfg.shift} sd shift (t-test power {t_power:.2f} - 0.1)",
                     power, t_power - 0.1)
        lab.metric("type_I_error", type1)
        lab.metric("power", power)
        axes[2].hist(p_null, bins=20, range=(0, 1), density=True, alpha=0.6, label="H0 true")
        axes[2].hist(p_alt, bins=20, range=(0, 1), density=True, alpha=0.6, label="H1 true")
        axes[2].set(title="p-values: uniform under H0", xlabel="p")
        axes[2].legend(fontsize=8)
    lab.savefig(fig, "inference.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("probability-statistics", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
