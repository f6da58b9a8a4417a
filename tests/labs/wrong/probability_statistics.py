"""A deliberately wrong solution: sigma used where sigma^2 belongs, the confidence level
mixed up with alpha, and each group shuffled on its own instead of pooling the labels."""

import math

import numpy as np
import torch


def gaussian_nll(x, mu, log_sigma):
    sigma = torch.exp(log_sigma)
    return (0.5 * math.log(2 * math.pi) + log_sigma + (x - mu) ** 2 / (2 * sigma)).mean()  # bug


def bootstrap_ci(x, stat, level, n_boot, rng):
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    stats = stat(x[idx], axis=-1)
    lo, hi = np.quantile(stats, [level / 2, 1 - level / 2])  # bug: level used as alpha
    return float(lo), float(hi)


def permutation_test(a, b, n_perm, rng):
    observed = abs(a.mean() - b.mean())
    count = 0
    for _ in range(n_perm):
        pa, pb = rng.permutation(a), rng.permutation(b)  # bug: labels never cross groups
        count += abs(pa.mean() - pb.mean()) >= observed - 1e-12
    return (1 + count) / (1 + n_perm)
