"""Loss functions: MSE, cross-entropy and Huber, written by hand.

A loss turns "how wrong is the model" into one number to minimise. Mean squared error
(MSE) is the Gaussian negative log-likelihood of a regression; cross-entropy is the
negative log-likelihood of a softmax classifier, and must be computed from logits with
the log-sum-exp trick or large logits overflow. In practice cross-entropy comes with three
options, all in torch.nn.functional.cross_entropy: class weights (a rare class counts
more; the mean then divides by the total weight, not by the number of rows), an
ignore_index (padding tokens contribute nothing, not even to the count) and label
smoothing (the target is (1 - eps) one-hot + eps / C on every class, which stops the model
from pushing logits to infinity). Huber loss is quadratic for small
residuals and linear for large ones (0.5 r^2 if |r| <= delta, else delta * (|r| - delta/2)),
so a few gross outliers pull a Huber fit far less than an MSE fit, whose pull grows with
the square of the residual.

You write the three losses in torch. Their values and gradients (by autograd through your
code) must match torch.nn.functional (mse_loss, cross_entropy with every option,
huber_loss at three deltas) to 1e-10 in float64, so keep the inputs' dtype; cross-entropy
must survive logits of size 1e4. Then a line is fitted to data with planted outliers by
gradient descent on each of your losses: the MSE fit must equal the closed-form
least-squares line, the Huber fit must equal scipy's minimiser of an independent numpy
Huber loss and stay close to the true line while least squares is dragged away.

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
    """Mean over all elements (every row and column) of (pred - target)^2, a scalar."""
    return ((pred - target) ** 2).mean()


def cross_entropy_loss(logits: torch.Tensor, target: torch.Tensor,
                       weight: torch.Tensor | None = None, ignore_index: int = -100,
                       label_smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy of ``logits`` (N, C) against integer labels ``target`` (N,), as
    ``F.cross_entropy`` computes it with reduction "mean".

    -log p_ic = logsumexp(z_i) - z_ic: subtract each row's max first so exp never overflows.
    Rows whose target equals ``ignore_index`` are left out entirely. Each remaining row i has
    the target distribution q_i = (1 - label_smoothing) * onehot(y_i) + label_smoothing / C,
    and the loss is sum_i sum_c q_ic w_c (-log p_ic) / sum_i w_{y_i}, where ``weight`` (C,)
    gives w (all ones when None; then the denominator is the number of rows kept).
    """
    keep = target != ignore_index  # (N,) rows that count
    z, y = logits[keep], target[keep]  # (M, C), (M,)
    m = z.max(1, keepdim=True).values  # (M, 1)
    logp = z - m - torch.log(torch.exp(z - m).sum(1, keepdim=True))  # (M, C) log-softmax
    w = torch.ones(z.shape[1], dtype=z.dtype, device=z.device) if weight is None else weight
    q = torch.full_like(z, label_smoothing / z.shape[1])  # (M, C) smoothed targets
    q[torch.arange(len(y)), y] += 1 - label_smoothing
    return -(q * w * logp).sum() / w[y].sum()


def huber_loss(pred: torch.Tensor, target: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Mean over all elements of the Huber loss of r = pred - target: 0.5 r^2 where
    |r| <= delta, else delta * (|r| - 0.5 delta) (quadratic near 0, linear in the tails)."""
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

    cfg = Config(n_points=lab.pick(200, 5000), steps=lab.pick(1500, 6000))
    rng = np.random.default_rng(lab.seed)
    dev, f64 = lab.torch_device, torch.float64

    def t(a, dtype=f64):
        return torch.tensor(a, dtype=dtype, device=dev)

    pred, target = t(rng.normal(size=(cfg.batch, 3))), t(rng.normal(size=(cfg.batch, 3)))
    logits = t(rng.normal(size=(cfg.batch, cfg.classes)) * 3)
    labels = t(rng.integers(cfg.classes, size=cfg.batch), torch.long)

    def both(loss_fn, x, *args):
        """(1 + x.numel(),): the loss value followed by its gradient w.r.t. x."""
        v, g = _grad(loss_fn, x, *args)
        return torch.cat([v.reshape(1), g.reshape(-1)])

    lab.section("MSE vs torch.nn.functional.mse_loss (float64)")
    with lab.guard("mse_loss runs"):
        lab.check_close("MSE value and gradient", both(mse_loss, pred, target),
                        both(F.mse_loss, pred, target), rtol=1e-10,
                        hint="the mean over every element, rows and columns")

    lab.section("cross-entropy vs torch.nn.functional.cross_entropy (float64)")
    weight = t(rng.uniform(0.2, 3.0, cfg.classes))  # (C,) class weights
    ignored = labels.clone()
    ignored[rng.permutation(cfg.batch)[: cfg.batch // 4]] = -100  # a quarter are padding
    cases = [  # (name, target, keyword arguments for both)
        ("plain", labels, {}),
        ("class weights", labels, {"weight": weight}),
        ("ignore_index (a quarter of the rows)", ignored, {}),
        ("label smoothing 0.1", labels, {"label_smoothing": 0.1}),
        ("weights + ignore_index 3 + smoothing 0.2", labels,
         {"weight": weight, "ignore_index": 3, "label_smoothing": 0.2}),
    ]
    hints = {"plain": "-log softmax(z)_y = logsumexp(z) - z_y, over the class axis",
             "class weights": "divide by the sum of the kept rows' weights w[y_i]",
             "ignore_index (a quarter of the rows)": "ignored rows leave the count too",
             "label smoothing 0.1": "eps / C on *every* class, the true one included"}
    with lab.guard("cross_entropy_loss runs"):
        for name, tgt, kw in cases:
            lab.check_close(f"cross-entropy, {name}: value and gradient",
                            both(lambda z, y, kw=kw: cross_entropy_loss(z, y, **kw), logits, tgt),
                            both(lambda z, y, kw=kw: F.cross_entropy(z, y, **kw), logits, tgt),
                            rtol=1e-10, hint=hints.get(name, "weight every term q_ic by w_c"))
        big = logits * 5000  # logits of size ~1e4: exp() overflows without the max shift
        lab.check_close("cross-entropy with logits ~ 1e4 (stable)", cross_entropy_loss(big, labels),
                        F.cross_entropy(big, labels), rtol=1e-10,
                        hint="subtract each row's max before exp")
        lab.metric("cross_entropy_uniform_logits", cross_entropy_loss(logits * 0, labels))
        lab.log(f"  uniform prediction costs log C = {np.log(cfg.classes):.6f} nats")

    lab.section("Huber vs torch.nn.functional.huber_loss (float64)")
    with lab.guard("huber_loss runs"):
        for delta in (0.3, 1.0, 2.0):
            lab.check_close(f"Huber, delta={delta}: value and gradient",
                            both(huber_loss, pred * 2, target, delta),
                            both(lambda a, b, d=delta: F.huber_loss(a, b, delta=d), pred * 2,
                                 target), rtol=1e-10,
                            hint="linear branch: delta * (|r| - delta / 2)")

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
    err = {k: float(np.abs(v[0] - true[0])) for k, v in fits.items()}
    if "Huber" in err:
        ls_err = float(abs(np.polyfit(x, y, 1)[0] - true[0]))  # least squares, the oracle's
        lab.check_le("Huber slope error <= 0.3 x least-squares slope error", err["Huber"],
                     0.3 * ls_err)
        lab.check_le("Huber slope within 0.1 of the true slope 2", err["Huber"], 0.1)
        lab.metric("slope_error_least_squares", ls_err)
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
    if len(err) == 2:
        lab.conclude(f"Your losses matched torch.nn.functional in value and gradient (cross-"
                     f"entropy with weights, ignore_index and label smoothing, Huber at three "
                     f"deltas), and with {cfg.outlier_frac:.0%} planted outliers your Huber fit "
                     f"missed the true slope by {err['Huber']:.3f} where least squares missed "
                     f"it by {err['MSE']:.3f}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("loss-functions", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
