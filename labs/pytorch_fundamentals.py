"""PyTorch fundamentals: tensors, autograd, a custom autograd Function, a trained module.

A tensor is an n-dimensional array with a dtype and a device; most work is done by
broadcasting whole tensors instead of Python loops. Autograd records the operations on
tensors that ``requires_grad`` and runs the chain rule backwards on ``.backward()``,
*adding* into ``.grad`` (hence ``optimizer.zero_grad()``). A ``torch.autograd.Function``
lets you define both passes yourself (a fused or numerically stable op); ``gradcheck``
compares its backward with finite differences in float64. An ``nn.Module`` holds
parameters and a ``forward``; training is the loop: forward, loss, zero_grad, backward,
optimizer step.

You write ``pairwise_sq_dists`` (broadcasting; vs ``torch.cdist``), both passes of a custom
``torch.autograd.Function`` for a numerically stable LogSumExp (``logsumexp_forward`` and
``logsumexp_backward``; vs ``gradcheck``, ``torch.logsumexp`` and its autograd, on inputs
as large as 1e3 where a naive ``exp`` overflows) and ``train`` (full-batch SGD; its first
steps vs a functional SGD written with ``torch.func.functional_call`` and
``torch.autograd.grad``, then loss decrease and held-out accuracy on a 3-class spiral).

$ python labs/pytorch_fundamentals.py --quick
"""

from __future__ import annotations

import contextlib
import copy
import math
from dataclasses import dataclass
from unittest import mock

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

EXERCISES = ("pairwise_sq_dists", "logsumexp_forward", "logsumexp_backward", "train")


@dataclass
class Config:
    points: int = 150  # points per class per split in the 3-class spiral
    hidden: int = 64  # width of the two hidden layers
    steps: int = 1500  # full-batch SGD steps
    lr: float = 0.5  # SGD learning rate
    min_test_acc: float = 0.90  # held-out accuracy the trained MLP must reach


def pairwise_sq_dists(X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances ``D[i, j] = ||X[i] - Y[j]||^2`` for X (n, d) and Y (m, d),
    in X's dtype (float64 in the check). Returns (n, m). Hint: broadcast (n, 1, d) against
    (1, m, d)."""
    diff = X[:, None, :] - Y[None, :, :]  # (n, 1, d) - (1, m, d) -> (n, m, d)
    return (diff * diff).sum(-1)


def logsumexp_forward(ctx, x: torch.Tensor) -> torch.Tensor:
    """Forward of the custom Function ``LogSumExp``: ``out = log(sum(exp(x), -1))`` for
    x (..., n) -> out (...), computed from x's own elements (not with torch.logsumexp) and
    stable for |x| in the thousands: subtract each row's maximum before ``exp`` and add it
    back.
    Save for the backward with ``ctx.save_for_backward(x, out)``."""
    m = x.max(dim=-1, keepdim=True).values  # (..., 1): shift by the row max, exp <= 1
    out = (m + torch.log(torch.exp(x - m).sum(-1, keepdim=True))).squeeze(-1)  # (...)
    ctx.save_for_backward(x, out)
    return out


def logsumexp_backward(ctx, grad_out: torch.Tensor) -> torch.Tensor:
    """Backward of ``LogSumExp``: given ``grad_out`` (...) = dL/d out, return dL/dx (..., n).
    Read ``x, out = ctx.saved_tensors``. d out / d x is the softmax of x along the last
    dimension, ``exp(x - out)``, which never overflows."""
    x, out = ctx.saved_tensors
    return grad_out[..., None] * torch.exp(x - out[..., None])  # (..., n)


def train(model: nn.Module, X: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> list:
    """Full-batch training with plain SGD (``torch.optim.SGD(lr=lr)``, no momentum) on
    ``F.cross_entropy(model(X), y)``. Returns the loss before each step, as floats."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()  # .grad accumulates: clear it every step
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


class LogSumExp(torch.autograd.Function):
    """A custom op whose two passes are ``logsumexp_forward`` and ``logsumexp_backward``."""

    @staticmethod
    def forward(ctx, x):
        return logsumexp_forward(ctx, x)

    @staticmethod
    def backward(ctx, grad_out):
        return logsumexp_backward(ctx, grad_out)


class MLP(nn.Module):
    def __init__(self, d_in: int, hidden: int, d_out: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.Tanh(),
                                 nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, d_out))

    def forward(self, x):  # (B, d_in) -> (B, d_out) logits
        return self.net(x)


@contextlib.contextmanager
def library_logsumexp_off():
    """While the forward is checked, torch's own logsumexp raises: it is what you write."""
    def refuse(*args, **kwargs):
        raise RuntimeError("torch.logsumexp is off here: build it from max, exp, sum and log")
    with mock.patch.object(torch, "logsumexp", refuse), \
            mock.patch.object(torch.Tensor, "logsumexp", refuse), \
            mock.patch.object(torch.special, "logsumexp", refuse):
        yield


def spiral(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """3 interleaved spiral arms (CS231n), n points each: X (3n, 2), y (3n,)."""
    r = np.tile(np.linspace(0.05, 1, n), 3)
    k = np.repeat(np.arange(3), n)
    t = k * 2 * np.pi / 3 + r * 4 + rng.normal(scale=0.15, size=3 * n)
    return np.stack([r * np.sin(t), r * np.cos(t)], 1), k


def body(lab: kit.Lab) -> None:
    cfg = Config(steps=lab.pick(300, 3000))
    rng = np.random.default_rng(lab.seed)
    dev = lab.torch_device

    lab.section("tensors: broadcasting")
    X = torch.randn(7, 5, dtype=torch.float64, device=dev)
    Y = torch.randn(4, 5, dtype=torch.float64, device=dev)
    with lab.guard("pairwise_sq_dists runs"):
        lab.check_close("pairwise_sq_dists = torch.cdist**2", pairwise_sq_dists(X, Y),
                        torch.cdist(X, Y) ** 2, rtol=1e-10, atol=1e-12)

    lab.section("autograd: gradients accumulate")
    w = torch.randn(5, dtype=torch.float64, requires_grad=True)
    for _ in range(2):
        (w.sin() * w).sum().backward()  # d/dw sum(w sin w) = sin w + w cos w
    with lab.shown():
        lab.check_close("two backward() calls leave 2x the gradient in .grad", w.grad,
                        2 * (w.sin() + w * w.cos()).detach(), rtol=1e-12)

    lab.section("custom autograd Function: stable LogSumExp")
    x = torch.randn(8, 8, dtype=torch.float64, requires_grad=True)  # square: a wrong
    x3 = torch.randn(2, 5, 5, dtype=torch.float64, requires_grad=True)  # broadcast is silent
    big = torch.tensor([[1000.0, 1000.0, -1000.0], [-5e3, -5e3 + math.log(3), -7e3]],
                       dtype=torch.float64, requires_grad=True)  # naive exp() overflows
    want = [torch.logsumexp(v.detach(), -1) for v in (x, x3, big)]  # the oracle
    with lab.guard("LogSumExp forward runs (written by hand)"):
        with library_logsumexp_off():
            got = [LogSumExp.apply(v.detach()) for v in (x, x3, big)]
        lab.check_close("forward = torch.logsumexp on (8, 8) and (2, 5, 5)",
                        torch.cat([g.flatten() for g in got[:2]]),
                        torch.cat([w.flatten() for w in want[:2]]), rtol=1e-12)
        lab.check_close("forward stable at |x| ~ 1e3, rows far apart", got[2], want[2],
                        rtol=1e-12, hint="subtract each row's own max (keepdim) before exp")
    with lab.guard("LogSumExp backward runs"):
        ok = all(torch.autograd.gradcheck(LogSumExp.apply, (v,), eps=1e-6, atol=1e-7,
                                          rtol=1e-6, raise_exception=False) for v in (x, x3))
        lab.check("gradcheck: backward = finite differences (float64)", ok, True, ok, 1e-6)
        g = torch.randn(8, dtype=torch.float64)
        (mine,) = torch.autograd.grad(LogSumExp.apply(x), x, g)
        (ref,) = torch.autograd.grad(torch.logsumexp(x, -1), x, g)
        lab.check_close("backward = autograd of torch.logsumexp for a random grad_out", mine,
                        ref, rtol=1e-10, hint="grad_out[..., None] * softmax(x, -1)")
        gb = torch.autograd.grad(LogSumExp.apply(big).sum(), big)[0]
        lab.check_close("backward stable for |x| ~ 1e3: gradient = softmax", gb,
                        torch.softmax(big.detach(), -1), rtol=1e-10, atol=1e-300)

    lab.section("a module and its training loop")
    Xtr, ytr = spiral(cfg.points, rng)
    Xte, yte = spiral(cfg.points, rng)
    model = MLP(2, cfg.hidden, 3)
    n_params = sum(p.numel() for p in model.parameters())
    h = cfg.hidden
    with lab.shown():
        lab.check_equal("parameter count = 2h + h + h*h + h + 3h + 3", n_params,
                        2 * h + h + h * h + h + 3 * h + 3)

    # exact check of the first steps, in float64, against a functional SGD
    m64 = copy.deepcopy(model).double()
    sub = rng.permutation(len(ytr))[:60]  # a small mixed-class batch
    X64, y64 = torch.tensor(Xtr[sub]), torch.tensor(ytr[sub])
    params = {k: v.detach().clone().requires_grad_() for k, v in m64.named_parameters()}
    ref_losses = []
    for _ in range(3):
        loss = F.cross_entropy(torch.func.functional_call(m64, params, (X64,)), y64)
        grads = torch.autograd.grad(loss, list(params.values()))
        ref_losses.append(loss.item())
        params = {k: (p - cfg.lr * gr).detach().requires_grad_()
                  for (k, p), gr in zip(params.items(), grads, strict=True)}
    with lab.guard("train runs"):
        got = train(m64, X64, y64, 3, cfg.lr)
        lab.check_close("first 3 losses = functional SGD", got, ref_losses, rtol=1e-10)
        lab.check_close("parameters after 3 steps = functional SGD",
                        torch.cat([p.detach().flatten() for p in m64.parameters()]),
                        torch.cat([p.detach().flatten() for p in params.values()]), rtol=1e-9,
                        atol=1e-12)

        model = model.to(dev)
        Xt, yt = (torch.tensor(Xtr, dtype=torch.float32, device=dev),
                  torch.tensor(ytr, device=dev))
        with lab.timer() as t:
            losses = train(model, Xt, yt, cfg.steps, cfg.lr)
        with torch.no_grad():
            pred = model(torch.tensor(Xte, dtype=torch.float32, device=dev)).argmax(-1).cpu()
        acc = float((pred.numpy() == yte).mean())
        lab.metric("train_seconds", t.seconds, "s")
        lab.metric("loss_first", losses[0])
        lab.metric("loss_last", losses[-1])
        lab.check_le("loss decreases: last <= 0.25 * first", losses[-1], 0.25 * losses[0])
        lab.check_ge("held-out accuracy on the spiral", acc, cfg.min_test_acc)
        _plot(lab, model, losses, Xte, yte)
        lab.conclude(f"Your LogSumExp Function passed gradcheck and stayed finite at |x| = 1e3, "
                     f"your loop's first 3 SGD steps matched a functional SGD exactly, and "
                     f"{cfg.steps} steps took the loss from {losses[0]:.2f} to "
                     f"{losses[-1]:.3f} with {acc:.0%} held-out accuracy on the spiral.")


def _plot(lab: kit.Lab, model: nn.Module, losses: list, X: np.ndarray, y: np.ndarray) -> None:
    g = np.linspace(-1.1, 1.1, 150)
    gx, gy = np.meshgrid(g, g)
    grid = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32,
                        device=lab.torch_device)
    with torch.no_grad():
        zz = model(grid).argmax(-1).cpu().numpy().reshape(gx.shape)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6))
    a1.plot(losses)
    a1.set(xlabel="SGD step", ylabel="cross-entropy", yscale="log", title="training loss")
    cmap = ListedColormap(["tab:blue", "tab:orange", "tab:green"])  # one colour per class
    a2.contourf(gx, gy, zz, alpha=0.3, levels=[-0.5, 0.5, 1.5, 2.5], cmap=cmap)
    a2.scatter(X[:, 0], X[:, 1], c=y, s=6, cmap=cmap, vmin=0, vmax=2)
    a2.set(title="held-out points and decision regions", aspect="equal")
    lab.savefig(fig, "spiral_training.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("pytorch-fundamentals", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
