"""Calculus for deep learning: derivatives, gradients and gradient descent.

A derivative is a limit; a computer can approximate it with a centered difference
(f(x+h) - f(x-h)) / 2h, whose error shrinks like h^2 until round-off takes over. Autograd
computes the same gradient exactly. This lab writes the finite-difference gradient and
gradient descent by hand, checks the gradient against torch.autograd in float64, and
checks that gradient descent on a convex quadratic reaches the closed-form minimiser
x* = A^-1 b.

$ python labs/calculus.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("numerical_gradient", "gradient_descent")


@dataclass
class Config:
    dim: int = 20  # dimension of the quadratic's input
    steps: int = 2000  # gradient-descent iterations
    h: float = 1e-5  # finite-difference step (float64)
    grad_tol: float = 1e-6  # max relative error, finite difference vs autograd


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centered-difference gradient of scalar ``f`` at ``x`` (float64), one coordinate at a time."""
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(x.size):
        step = np.zeros_like(x, dtype=np.float64)
        step.flat[i] = h
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def gradient_descent(grad_fn, x0: np.ndarray, lr: float, steps: int) -> tuple[np.ndarray, list]:
    """Plain gradient descent ``x <- x - lr * grad(x)``; returns the last x and the path."""
    x, path = x0.astype(np.float64).copy(), [x0.astype(np.float64).copy()]
    for _ in range(steps):
        x = x - lr * grad_fn(x)
        path.append(x.copy())
    return x, path


def body(lab: kit.Lab) -> None:
    cfg = Config(dim=lab.pick(8, 20), steps=lab.pick(800, 2000))
    rng = np.random.default_rng(lab.seed)

    lab.section("finite differences vs autograd (float64)")
    w = rng.normal(size=cfg.dim)

    def f_np(x):  # a smooth non-quadratic function
        return float(np.sum(np.sin(x) * w) + 0.5 * np.sum(x**2) + np.log1p(np.exp(x @ w)))

    x = rng.normal(size=cfg.dim)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    wt = torch.tensor(w, dtype=torch.float64)
    ft = (torch.sin(xt) * wt).sum() + 0.5 * (xt**2).sum() + torch.nn.functional.softplus(xt @ wt)
    (g_auto,) = torch.autograd.grad(ft, xt)
    with lab.guard("numerical gradient runs"):
        g_num = numerical_gradient(f_np, x, cfg.h)
        lab.check_close("gradient = autograd", g_num, g_auto, rtol=cfg.grad_tol)

    lab.section("gradient descent on a quadratic vs closed form")
    M = rng.normal(size=(cfg.dim, cfg.dim))
    A = M @ M.T / cfg.dim + np.eye(cfg.dim)  # symmetric positive definite
    b = rng.normal(size=cfg.dim)
    x_star = np.linalg.solve(A, b)  # oracle: minimiser of 0.5 x^T A x - b^T x
    eig = np.linalg.eigvalsh(A)
    lr = 1.0 / eig[-1]  # stable step: 1 / L
    with lab.guard("gradient descent runs"):
        x_gd, path = gradient_descent(lambda z: A @ z - b, np.zeros(cfg.dim), lr, cfg.steps)
        lab.check_close("GD reaches A^-1 b", x_gd, x_star, rtol=1e-6, atol=1e-8)
        gaps = [0.5 * p @ A @ p - b @ p - (0.5 * x_star @ A @ x_star - b @ x_star) for p in path]
        lab.check("loss never increases (lr = 1/L)", all(np.diff(gaps) <= 1e-12),
                  "monotone", "monotone" if all(np.diff(gaps) <= 1e-12) else "increased")
        lab.metric("condition_number", eig[-1] / eig[0])
        lab.metric("final_gap", max(gaps[-1], 0.0))

        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.semilogy(np.maximum(gaps, 1e-18))
        ax.set(xlabel="step", ylabel="f(x) - f(x*)", title="gradient descent converges linearly")
        lab.savefig(fig, "gd_convergence.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("calculus", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
