"""Another idiom: Shapley values by looping over itertools.combinations of the other features,
Kernel SHAP as an equality-constrained least-squares problem solved through its KKT system
(a Lagrange multiplier instead of eliminating a variable), and LIME in float32 through the
weighted normal equations."""

import itertools
from math import comb, factorial

import numpy as np
from interpretability import coalition_values


def exact_shapley(f, x, background):
    M = len(x)
    subsets = [frozenset(c) for k in range(M + 1) for c in itertools.combinations(range(M), k)]
    masks = np.zeros((len(subsets), M), dtype=bool)
    for r, S in enumerate(subsets):
        masks[r, list(S)] = True
    v = dict(zip(subsets, coalition_values(f, x, background, masks), strict=True))
    phi = np.zeros(M)
    for i in range(M):
        others = [j for j in range(M) if j != i]
        for k in range(M):
            w = factorial(k) * factorial(M - k - 1) / factorial(M)
            for S in itertools.combinations(others, k):
                S = frozenset(S)
                phi[i] += w * (v[S | {i}] - v[S])
    return phi


def kernel_shap(f, x, background, n_coalitions=None, rng=None):
    M = len(x)
    if n_coalitions is None:
        Z = np.array([m for m in itertools.product([0.0, 1.0], repeat=M) if 0 < sum(m) < M])
        s = Z.sum(1).astype(int)
        w = np.array([(M - 1) / (comb(M, k) * k * (M - k)) for k in s])
    else:
        sizes = np.arange(1, M)
        p = (M - 1) / (sizes * (M - sizes))
        rows = []
        for k in rng.choice(sizes, size=n_coalitions // 2, p=p / p.sum()):
            z = np.zeros(M)
            z[rng.choice(M, size=k, replace=False)] = 1.0
            rows += [z, 1.0 - z]  # the coalition and its complement
        Z, w = np.array(rows), np.ones(len(rows))
    base = coalition_values(f, x, background, np.zeros((1, M), dtype=bool))[0]
    total = f(x[None])[0] - base
    y = coalition_values(f, x, background, Z.astype(bool)) - base
    # minimise sum w (Z phi - y)^2 subject to 1^T phi = total: [[2 Z^T W Z, 1], [1^T, 0]]
    kkt = np.zeros((M + 1, M + 1))
    kkt[:M, :M] = 2 * Z.T @ (w[:, None] * Z)
    kkt[:M, M] = kkt[M, :M] = 1.0
    rhs = np.r_[2 * Z.T @ (w * y), total]
    return np.linalg.solve(kkt, rhs)[:M]


def lime_explain(f, x, scale, n_samples, kernel_width, rng):
    noise = rng.standard_normal((n_samples, len(x))).astype(np.float32)
    dz = noise * np.asarray(scale, dtype=np.float32)  # (n, M) offsets z - x
    target = np.asarray(f(x + dz.astype(np.float64)), dtype=np.float32)
    weight = np.exp(-np.sum(noise**2, axis=1) / np.float32(kernel_width) ** 2)
    design = np.concatenate([np.ones((n_samples, 1), np.float32), dz], axis=1)
    gram = design.T @ (weight[:, None] * design)
    beta = np.linalg.solve(gram.astype(np.float64), (design.T @ (weight * target)).astype(
        np.float64))
    return float(beta[0]), beta[1:]
