"""Another idiom: the NLL written with the variance, resamples drawn by rng.choice with
percentiles in percent, and shuffles made by argsort of uniform noise (a random permutation
per row)."""

import math

import numpy as np
import torch


def gaussian_nll(x, mu, log_sigma):
    var = torch.exp(2 * log_sigma)
    return 0.5 * (torch.log(2 * math.pi * var) + (x - mu).pow(2) / var).mean()


def bootstrap_ci(x, stat, level, n_boot, rng):
    boots = stat(rng.choice(x, size=(n_boot, len(x)), replace=True), axis=1)
    alpha = 100 * (1 - level)
    lo, hi = np.percentile(boots, [alpha / 2, 100 - alpha / 2])
    return float(lo), float(hi)


def permutation_test(a, b, n_perm, rng):
    pooled = np.concatenate([a, b])
    observed = abs(np.mean(a) - np.mean(b))
    perms = np.argsort(rng.random((n_perm, len(pooled))), axis=1)  # (n_perm, n) permutations
    shuffled = pooled[perms]
    d = np.abs(shuffled[:, :len(a)].mean(1) - shuffled[:, len(a):].mean(1))
    hits = np.count_nonzero((d >= observed) | np.isclose(d, observed, rtol=0, atol=1e-12))
    return (hits + 1) / (n_perm + 1)
