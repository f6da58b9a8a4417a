"""Loss functions: MSE, cross-entropy and Huber, written by hand.

A loss turns "how wrong is the model" into one number to minimise. Mean squared error
(MSE) is the Gaussian negative log-likelihood of a regression; cross-entropy is the
negative log-likelihood of a softmax classifier, and must be computed from logits with
the log-sum-exp trick or large logits overflow. Huber loss is quadratic for small
residuals and linear for large ones (0.5 r^2 if |r| <= delta, else delta * (|r| - delta/2)),
so a few gross outliers pull a Huber fit far less than an MSE fit, whose pull grows with
the square of the residual.

This lab writes the three losses in torch, checks values and gradients against
torch.nn.functional (mse_loss, cross_entropy, huber_loss) in float64, checks that the
cross-entropy survives logits of size 1e4, and fits a line to data with planted outliers
by gradient descent on each loss: the MSE fit must equal the closed-form least-squares
line, the Huber fit must equal scipy's minimiser of an independent numpy Huber loss and
stay close to the true line while MSE is dragged away.

$ python labs/loss_functions.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("mse_loss", "cross_entropy_loss", "huber_loss")


@dataclass
class Config:
    batch: int = 64  # rows in the value/gradient checks
    classes: int = 10  # classes for the cross-entropy checks
    n_points: int = 200  # points in the line-fitting problem
    outlier_frac: float = 0.1  # share of points replaced by gross outliers
    delta: float = 0.3  # Huber threshold of the line fit (inlier noise sd is 0.1)
    steps: int = 3000  # gradient-descent steps for each line fit
    lr: float = 0.5  # gradient-descent step size (x is scaled to [-1, 1])


def mse_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over all elements of (pred - target)^2."""
    return ((pred - target) ** 2).mean()


def cross_entropy_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``logits`` (N, C) against integer class labels ``target`` (N,).

    -log softmax(z)_y = logsumexp(z) - z_y; subtract the row max first so exp never overflows.
    """
    m = logits.max(1, keepdim=True).values  # (N, 1)
    lse = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(1))  # (N,) log-sum-exp
    return (lse - logits.gather(1, target[:, None]).squeeze(1)).mean()


def huber_loss(pred: torch.Tensor, target: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Mean Huber loss: 0.5 r^2 where |r| <= delta, else delta * (|r| - 0.5 delta)."""
    r = (pred - target).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)).mean()


def _grad(loss_fn, x: torch.Tensor, *args) -> tuple[torch.Tensor, torch.Tensor]:
    """Loss value and its gradient w.r.t. ``x`` (a fresh leaf each call)."""
    x = x.detach().clone().requires_grad_(True)
    loss = loss_fn(x, *args)
    (g,) = torch.autograd.grad(loss, x)
    return loss.detach(), g


def _huber_np(r: np.ndarray, delta: float) -> np.ndarray:
    """Element-wise Huber loss in numpy: the independent version for the scipy oracle."""
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))


def _fit_line(loss_fn, x: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> np.ndarray:
    """Gradient descent on (slope, intercept) for ``loss_fn(slope * x + intercept, y)``."""
    p = torch.zeros(2, dtype=x.dtype, device=x.device)
    for _ in range(steps):
        _, g = _grad(lambda q: loss_fn(q[0] * x + q[1], y), p)
        p = p - lr * g
    return p.cpu().numpy()


def body(lab: kit.Lab) -> None:
    from scipy.optimize import minimize

    cfg = Config(n_points=lab.pick(200, 5000), steps=lab.pick(3000, 10000))
    rng = np.random.default_rng(lab.seed)
    dev, f64 = lab.torch_device, torch.float64

    def t(a, dtype=f64):
        return torch.tensor(a, dtype=dtype, device=dev)

    pred, target = t(rng.normal(size=(cfg.batch, 3))), t(rng.normal(size=(cfg.batch, 3)))
    logits = t(rng.normal(size=(cfg.batch, cfg.classes)) * 3)
    labels = t(rng.integers(cfg.classes, size=cfg.batch), torch.long)

    lab.section("MSE vs torch.nn.functional.mse_loss (float64)")
    with lab.guard("mse_loss runs"):
        v, g = _grad(mse_loss, pred, target)
        v_ref, g_ref = _grad(F.mse_loss, pred, target)
        lab.check_close("MSE value", v, v_ref, rtol=1e-12)
        lab.check_close("MSE gradient", g, g_ref, rtol=1e-10)

    lab.section("cross-entropy vs torch.nn.functional.cross_entropy (float64)")
    with lab.guard("cross_entropy_loss runs"):
        v, g = _grad(cross_entropy_loss, logits, labels)
        v_ref, g_ref = _grad(F.cross_entropy, logits, labels)
        lab.check_close("cross-entropy value", v, v_ref, rtol=1e-12)
        lab.check_close("cross-entropy gradient (softmax - onehot) / N", g, g_ref, rtol=1e-10)
        big = logits * 5000  # logits of size ~1e4: exp() overflows without the max shift
        lab.check_close("cross-entropy with logits ~ 1e4 (stable)", cross_entropy_loss(big, labels),
                        F.cross_entropy(big, labels), rtol=1e-12)
        lab.metric("cross_entropy_uniform_logits", cross_entropy_loss(logits * 0, labels))
        lab.log(f"  uniform prediction costs log C = {np.log(cfg.classes):.6f} nats")

    lab.section("Huber vs torch.nn.functional.huber_loss (float64)")
    with lab.guard("huber_loss runs"):
        for delta in (0.3, 1.0, 2.0):
            v, g = _grad(huber_loss, pred * 2, target, delta)
            v_ref, g_ref = _grad(lambda a, b, d=delta: F.huber_loss(a, b, delta=d),
                                 pred * 2, target)
            lab.check_close(f"Huber value, delta={delta}", v, v_ref, rtol=1e-12)
            lab.check_close(f"Huber gradient, delta={delta}", g, g_ref, rtol=1e-10)

    lab.section("fitting a line with planted outliers: MSE vs Huber")
    x = rng.uniform(-1, 1, cfg.n_points)
    true = np.array([2.0, 0.5])  # slope, intercept
    y = true[0] * x + true[1] + 0.1 * rng.normal(size=cfg.n_points)
    out = rng.choice(cfg.n_points, int(cfg.outlier_frac * cfg.n_points), replace=False)
    y[out] = -8.0 + rng.normal(size=len(out))  # gross outliers far below the line
    y[out[x[out] < 0]] *= -1  # ... and above it on the left, so they tilt the MSE slope
    xt, yt = t(x), t(y)
    fits = {}
    with lab.guard("line fit with mse_loss"):
        fits["MSE"] = _fit_line(mse_loss, xt, yt, cfg.steps, cfg.lr)
        lab.check_close("MSE fit = closed-form least squares (np.polyfit)", fits["MSE"],
                        np.polyfit(x, y, 1), rtol=1e-6)
    with lab.guard("line fit with huber_loss"):
        fits["Huber"] = _fit_line(lambda a, b: huber_loss(a, b, cfg.delta), xt, yt,
                                  cfg.steps, cfg.lr)
        ref = minimize(lambda p: np.mean(_huber_np(p[0] * x + p[1] - y, cfg.delta)), np.zeros(2),
                       method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000}).x
        lab.check_close("Huber fit = scipy minimiser of a numpy Huber loss", fits["Huber"], ref,
                        rtol=0, atol=1e-5)
    if len(fits) == 2:
        err = {k: float(np.abs(v[0] - true[0])) for k, v in fits.items()}
        lab.check_le("Huber slope error <= 0.3 x MSE slope error", err["Huber"], 0.3 * err["MSE"])
        lab.check_le("Huber slope within 0.1 of the true slope 2", err["Huber"], 0.1)
        lab.metric("slope_error_mse", err["MSE"])
        lab.metric("slope_error_huber", err["Huber"])

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    r = np.linspace(-3, 3, 301)
    a1.plot(r, 0.5 * r**2, label="0.5 r^2 (MSE / 2)")
    for d in (1.0, cfg.delta):
        a1.plot(r, _huber_np(r, d), label=f"Huber, delta={d}")
    a1.set(xlabel="residual r", ylabel="loss", title="quadratic vs Huber", ylim=(0, 4.5))
    a1.legend(fontsize=8)
    a2.scatter(x, y, s=6, c=np.isin(np.arange(cfg.n_points), out), cmap="coolwarm")
    grid = np.linspace(-1, 1, 2)
    a2.plot(grid, true[0] * grid + true[1], "k--", label="true line")
    for k, v in fits.items():
        a2.plot(grid, v[0] * grid + v[1], label=f"{k} fit (slope {v[0]:.2f})")
    a2.set(xlabel="x", ylabel="y", title=f"{cfg.outlier_frac:.0%} planted outliers (red)")
    a2.legend(fontsize=8)
    lab.savefig(fig, "losses.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("loss-functions", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
