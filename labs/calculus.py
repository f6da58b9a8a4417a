"""Calculus for deep learning: derivatives, gradients and gradient descent.

A derivative is a limit; a computer approximates it with a centered difference
(f(x+h) - f(x-h)) / 2h. Its truncation error shrinks like h^2 (a one-sided difference only
like h) until floating-point round-off, which grows like eps/h, takes over: the error
against h is a V on a log-log plot, and the best h is near eps^(1/3) ~ 1e-5 in float64.
Autograd computes the same gradient exactly, which is how you check a hand-written one.
The gradient then drives gradient descent: on a convex quadratic 0.5 x^T A x - b^T x
with step 1/L (L the largest eigenvalue of A), the loss falls every step and x reaches the
closed-form minimiser x* = A^-1 b.

You write the centered-difference gradient and gradient descent. Work in float64: with
float32's eps ~ 1e-7 the best achievable relative error is only ~1e-5.

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
    dim: int = 20  # dimension of the test functions' input
    steps: int = 2000  # gradient-descent iterations
    h: float = 1e-5  # finite-difference step (float64)
    grad_tol: float = 1e-6  # max relative error, finite difference vs autograd
    slope_hs: tuple = (1e-1, 3e-2, 1e-2, 3e-3)  # steps where truncation error dominates


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centered-difference gradient of the scalar function ``f`` at ``x``, in float64.

    For each coordinate i: ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``. ``f`` takes an array
    shaped like ``x`` and returns a float; ``x`` must not be modified. Returns a float64
    array shaped like ``x``.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(x.size):
        step = np.zeros_like(x, dtype=np.float64)
        step.flat[i] = h
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def gradient_descent(grad_fn, x0: np.ndarray, lr: float, steps: int) -> tuple[np.ndarray, list]:
    """Plain gradient descent ``x <- x - lr * grad_fn(x)`` for ``steps`` steps, in float64.

    Returns the last x and the path: a list of ``steps + 1`` arrays, x0 first, each a
    copy (not a view of one array that keeps changing).
    """
    x, path = x0.astype(np.float64).copy(), [x0.astype(np.float64).copy()]
    for _ in range(steps):
        x = x - lr * grad_fn(x)
        path.append(x.copy())
    return x, path


def make_function(w: np.ndarray):
    """A smooth non-quadratic test function and the same one in torch (for autograd)."""
    def f_np(x):
        return float(np.sum(np.sin(x) * w) + 0.5 * np.sum(x**2) + np.log1p(np.exp(x @ w)))

    def f_torch(xt):
        wt = torch.tensor(w, dtype=torch.float64)
        return (torch.sin(xt) * wt).sum() + 0.5 * (xt**2).sum() + torch.nn.functional.softplus(
            xt @ wt)
    return f_np, f_torch


def rel_error(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300)))


def body(lab: kit.Lab) -> None:
    cfg = Config(dim=lab.pick(8, 20), steps=lab.pick(800, 2000))
    rng = np.random.default_rng(lab.seed)

    lab.section("finite differences vs autograd (float64)")
    w = rng.normal(size=cfg.dim)
    f_np, f_torch = make_function(w)
    x = rng.normal(size=cfg.dim)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (g_auto,) = torch.autograd.grad(f_torch(xt), xt)  # oracle: exact gradient
    g_auto = g_auto.numpy()
    hs = np.logspace(-1, -9, 17)
    errors = []
    with lab.guard("numerical gradient runs"):
        x_before = x.copy()
        g_num = numerical_gradient(f_np, x, cfg.h)
        lab.check_close("gradient = autograd at h = 1e-5", g_num, g_auto, rtol=cfg.grad_tol,
                        hint="use the centered difference (f(x+h) - f(x-h)) / 2h")
        lab.check_equal("x is left unchanged", bool(np.array_equal(x, x_before)), True,
                        hint="perturb a copy of x, never x itself")
        errors = [rel_error(numerical_gradient(f_np, x, h), g_auto) for h in hs]
        # truncation regime: log(error) ~ slope * log(h); centered: 2, one-sided: 1
        big = [rel_error(numerical_gradient(f_np, x, h), g_auto) for h in cfg.slope_hs]
        slope = float(np.polyfit(np.log(cfg.slope_hs), np.log(big), 1)[0])
        lab.check_close("error shrinks like h^2 (log-log slope)", slope, 2.0, rtol=0, atol=0.25,
                        hint="a one-sided difference has slope 1")
        lab.metric("best_h", hs[int(np.argmin(errors))])
        lab.metric("best_rel_error", min(errors))

    lab.section("gradient descent on a quadratic vs closed form")
    M = rng.normal(size=(cfg.dim, cfg.dim))
    A = M @ M.T / cfg.dim + np.eye(cfg.dim)  # symmetric positive definite
    b = rng.normal(size=cfg.dim)
    x_star = np.linalg.solve(A, b)  # oracle: minimiser of 0.5 x^T A x - b^T x
    eig = np.linalg.eigvalsh(A)
    lr = 1.0 / eig[-1]  # stable step: 1 / L
    gaps: list[float] = []
    with lab.guard("gradient descent runs"):
        x0 = rng.normal(size=cfg.dim)
        x_gd, path = gradient_descent(lambda z: A @ z - b, x0, lr, cfg.steps)
        lab.check_close("GD reaches A^-1 b", x_gd, x_star, rtol=1e-6, atol=1e-8)
        lab.check_equal("path has steps + 1 points, x0 first",
                        (len(path), bool(np.array_equal(path[0], x0))), (cfg.steps + 1, True))
        lab.check_close("path[1] = x0 - lr * grad(x0)", path[1] if len(path) > 1 else np.nan,
                        x0 - lr * (A @ x0 - b), rtol=1e-12, atol=1e-15)
        gaps = [0.5 * p @ A @ p - b @ p - (0.5 * x_star @ A @ x_star - b @ x_star) for p in path]
        rises = int(np.sum(np.diff(gaps) > 1e-12))
        lab.check_equal("loss never increases (lr = 1/L)", rises, 0,
                        hint="step against the gradient: x - lr * grad")
        lab.metric("condition_number", eig[-1] / eig[0])

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    if errors:
        ax1.loglog(hs, np.maximum(errors, 1e-17), "o-")
        ax1.set(xlabel="h", ylabel="relative error vs autograd",
                title="truncation (slope 2) meets round-off")
    if gaps:
        ax2.semilogy(np.maximum(gaps, 1e-18))
        ax2.set(xlabel="step", ylabel="f(x) - f(x*)", title="gradient descent converges linearly")
    lab.savefig(fig, "calculus.png")
    if errors and gaps:
        lab.conclude(f"Your centered difference matched autograd to {min(errors):.0e} at "
                     f"h = {hs[int(np.argmin(errors))]:.0e} with error falling like h^2, and "
                     f"your gradient descent reached A^-1 b in {cfg.steps} steps.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("calculus", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
