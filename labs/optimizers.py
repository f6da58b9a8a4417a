"""Optimizers: SGD, momentum, RMSprop and Adam, written by hand.

Every optimizer turns a gradient into a parameter update. SGD steps against the gradient.
Momentum keeps a running sum of past gradients (buf <- mu * buf + g), so steps build up
along consistent directions and cancel across oscillating ones; Nesterov momentum looks
ahead along that velocity. RMSprop divides each coordinate's step by the root of a running
mean of its squared gradients, so every coordinate moves at a similar pace. Adam combines
both running means (m, v) and corrects their bias toward zero in the first steps, so its
first update moves each parameter by about lr. AdamW decays the weights directly instead
of adding the decay to the gradient.

This lab writes the update rules as plain functions on lists of tensors and checks whole
training trajectories of a small MLP, step by step, against torch.optim (SGD, SGD with
momentum and Nesterov + weight decay, RMSprop, Adam, AdamW) to a relative error of 1e-6 in
float64. It also runs each optimizer on the Rosenbrock valley and plots the paths.

$ python labs/optimizers.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("sgd_step", "rmsprop_step", "adam_step")


@dataclass
class Config:
    steps: int = 100  # steps per compared trajectory; much longer runs of adaptive methods
    # amplify round-off (Adam turns a near-zero gradient into a step of size lr), so two
    # correct implementations drift apart after several hundred steps
    n: int = 64  # training rows of the small regression problem
    d_in: int = 8  # input features
    hidden: int = 16  # hidden units of the MLP
    tol: float = 1e-6  # max relative error between our and torch's parameters (float64)
    rosen_steps: int = 1000  # steps on the Rosenbrock function for the plot


def sgd_step(params: list, grads: list, state: dict, lr: float, momentum: float = 0.0,
             nesterov: bool = False, weight_decay: float = 0.0) -> list:
    """One SGD step as in torch.optim.SGD (dampening 0); returns the new parameters.

    g <- g + weight_decay * p; with momentum: buf <- g on the first step, else
    buf <- momentum * buf + g, and the step direction is buf (or g + momentum * buf for
    Nesterov); p <- p - lr * direction. ``state`` persists between calls.
    """
    bufs = state.setdefault("buf", [None] * len(params))
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        g = g + weight_decay * p
        if momentum:
            bufs[i] = g.clone() if bufs[i] is None else momentum * bufs[i] + g
            g = g + momentum * bufs[i] if nesterov else bufs[i]
        new.append(p - lr * g)
    return new


def rmsprop_step(params: list, grads: list, state: dict, lr: float, alpha: float = 0.99,
                 eps: float = 1e-8) -> list:
    """One RMSprop step as in torch.optim.RMSprop (no momentum, not centred).

    v <- alpha * v + (1 - alpha) * g^2 (v starts at 0); p <- p - lr * g / (sqrt(v) + eps).
    """
    vs = state.setdefault("v", [torch.zeros_like(p) for p in params])
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        vs[i] = alpha * vs[i] + (1 - alpha) * g * g
        new.append(p - lr * g / (vs[i].sqrt() + eps))
    return new


def adam_step(params: list, grads: list, state: dict, lr: float, betas=(0.9, 0.999),
              eps: float = 1e-8, weight_decay: float = 0.0, decoupled: bool = False) -> list:
    """One Adam step as in torch.optim.Adam, or AdamW when ``decoupled`` is true.

    Adam adds weight_decay * p to the gradient; AdamW instead shrinks p by (1 - lr * wd).
    m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2; with t the step number,
    p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
    """
    b1, b2 = betas
    t = state["t"] = state.get("t", 0) + 1
    ms = state.setdefault("m", [torch.zeros_like(p) for p in params])
    vs = state.setdefault("v", [torch.zeros_like(p) for p in params])
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        ms[i] = b1 * ms[i] + (1 - b1) * g
        vs[i] = b2 * vs[i] + (1 - b2) * g * g
        m_hat, v_hat = ms[i] / (1 - b1**t), vs[i] / (1 - b2**t)
        new.append(p - lr * m_hat / (v_hat.sqrt() + eps))
    return new


def _mlp_loss(params: list, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    W1, b1, W2, b2 = params
    return ((torch.tanh(X @ W1 + b1) @ W2 + b2 - y) ** 2).mean()


def _trajectory(step_fn, params0: list, X, y, steps: int, **kw) -> np.ndarray:
    """Our optimizer: (steps + 1, n_params) flattened parameters after every step."""
    params, state, out = [p.clone() for p in params0], {}, []
    for _ in range(steps):
        out.append(torch.cat([p.reshape(-1) for p in params]).cpu().numpy())
        leaves = [p.clone().requires_grad_(True) for p in params]
        grads = torch.autograd.grad(_mlp_loss(leaves, X, y), leaves)
        params = [p.detach() for p in step_fn(params, list(grads), state, **kw)]
    out.append(torch.cat([p.reshape(-1) for p in params]).cpu().numpy())
    return np.stack(out)


def _torch_trajectory(opt_cls, params0: list, X, y, steps: int, **kw) -> np.ndarray:
    """The oracle: the same loop with a torch.optim optimizer."""
    params = [torch.nn.Parameter(p.clone()) for p in params0]
    opt, out = opt_cls(params, **kw), []
    for _ in range(steps):
        out.append(torch.cat([p.detach().reshape(-1) for p in params]).cpu().numpy())
        opt.zero_grad()
        _mlp_loss(params, X, y).backward()
        opt.step()
    out.append(torch.cat([p.detach().reshape(-1) for p in params]).cpu().numpy())
    return np.stack(out)


def _rosenbrock(p: torch.Tensor) -> torch.Tensor:
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def body(lab: kit.Lab) -> None:
    cfg = Config(steps=lab.pick(100, 150), n=lab.pick(64, 1024), hidden=lab.pick(16, 64),
                 rosen_steps=lab.pick(1000, 5000))
    dev, f64 = lab.torch_device, torch.float64
    g = torch.Generator().manual_seed(lab.seed)
    X = torch.randn(cfg.n, cfg.d_in, generator=g, dtype=f64).to(dev)
    y = torch.sin(X.sum(1, keepdim=True)).to(dev)  # (n, 1) a smooth target
    params0 = [(torch.randn(cfg.d_in, cfg.hidden, generator=g, dtype=f64) / cfg.d_in**0.5).to(dev),
               torch.zeros(cfg.hidden, dtype=f64, device=dev),
               (torch.randn(cfg.hidden, 1, generator=g, dtype=f64) / cfg.hidden**0.5).to(dev),
               torch.zeros(1, dtype=f64, device=dev)]
    opt = torch.optim
    cases = [  # (name, our step, our kwargs, torch optimizer, its kwargs)
        ("SGD", sgd_step, {"lr": 0.1}, opt.SGD, {"lr": 0.1}),
        ("SGD momentum 0.9", sgd_step, {"lr": 0.05, "momentum": 0.9},
         opt.SGD, {"lr": 0.05, "momentum": 0.9}),
        ("SGD Nesterov + weight decay", sgd_step,
         {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-2},
         opt.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-2}),
        ("RMSprop", rmsprop_step, {"lr": 1e-2}, opt.RMSprop, {"lr": 1e-2}),
        ("Adam + L2", adam_step, {"lr": 1e-2, "weight_decay": 1e-3},
         opt.Adam, {"lr": 1e-2, "weight_decay": 1e-3}),
        ("AdamW", adam_step, {"lr": 1e-2, "weight_decay": 0.1, "decoupled": True},
         opt.AdamW, {"lr": 1e-2, "weight_decay": 0.1}),
    ]
    lab.section(f"trajectories vs torch.optim ({cfg.steps} steps, float64, tol {cfg.tol:g})")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, step_fn, kw, opt_cls, okw in cases:
        with lab.guard(f"{name} runs"):
            ours = _trajectory(step_fn, params0, X, y, cfg.steps, **kw)
            ref = _torch_trajectory(opt_cls, params0, X, y, cfg.steps, **okw)
            lab.check_close(f"{name}: every step = torch.optim.{opt_cls.__name__}", ours, ref,
                            rtol=cfg.tol, atol=1e-12)
            every = max(1, cfg.steps // 50)  # plot about 50 points per curve
            losses = [float(_mlp_loss(_unflat(r, params0), X, y)) for r in ours[::every]]
            a1.semilogy(np.arange(len(losses)) * every, losses, label=name)
    a1.set(xlabel="step", ylabel="training MSE", title="small MLP (our optimizers)")
    a1.legend(fontsize=7)

    lab.section("Adam's bias correction: the first step moves every parameter by ~lr")
    with lab.guard("adam first step"):
        grads = [torch.randn(p.shape, generator=g, dtype=f64).to(dev) for p in params0]
        moved = adam_step([p.clone() for p in params0], grads, {}, lr=1e-3)
        delta = torch.cat([(a - b).abs().reshape(-1) for a, b in zip(moved, params0, strict=True)])
        lab.check_close("|first Adam step| = lr for every parameter", delta,
                        torch.full_like(delta, 1e-3), rtol=1e-4)

    lab.section("paths on the Rosenbrock valley (minimum at (1, 1))")
    xx, yy = np.meshgrid(np.linspace(-1.5, 1.5, 200), np.linspace(-0.5, 1.5, 200))
    a2.contour(xx, yy, np.log1p((1 - xx) ** 2 + 100 * (yy - xx**2) ** 2), levels=12,
               colors="0.75", linewidths=0.6)
    runs = (("SGD lr 1e-3", sgd_step, {"lr": 1e-3}, "-"),
            ("momentum 0.9", sgd_step, {"lr": 2e-4, "momentum": 0.9}, "--"),
            ("RMSprop", rmsprop_step, {"lr": 1e-2}, ":"),
            ("Adam", adam_step, {"lr": 2e-2}, "-."))
    for name, step_fn, kw, style in runs:
        with lab.guard(f"Rosenbrock {name}"):
            p, state, path = [torch.tensor([-1.2, 1.0], dtype=f64)], {}, []  # classic start
            for _ in range(cfg.rosen_steps):
                path.append(p[0].numpy().copy())
                x0, x1 = p[0]
                gr = torch.stack([-2 * (1 - x0) - 400 * x0 * (x1 - x0**2), 200 * (x1 - x0**2)])
                p = step_fn(p, [gr], state, **kw)  # analytic gradient of the Rosenbrock function
            path = np.array(path)
            final = float(_rosenbrock(p[0]))
            (line,) = a2.plot(path[:, 0], path[:, 1], style, lw=1.6,
                              label=f"{name}: f = {final:.1e}")
            a2.plot(*p[0].numpy(), "o", color=line.get_color())  # where it ended
            lab.metric(f"rosenbrock_final_{name.split()[0]}", final)
    a2.plot([1], [1], "k*", ms=10)
    a2.set(xlim=(-1.5, 1.5), ylim=(-0.5, 1.5),
           title=f"Rosenbrock from (-1.2, 1), {cfg.rosen_steps} steps")
    a2.legend(fontsize=7)
    lab.savefig(fig, "optimizers.png")


def _unflat(flat: np.ndarray, like: list) -> list:
    """Split a flat parameter vector back into tensors shaped like ``like``."""
    out, i = [], 0
    for p in like:
        out.append(torch.tensor(flat[i:i + p.numel()], dtype=p.dtype, device=p.device)
                   .reshape(p.shape))
        i += p.numel()
    return out


def main(argv: list[str] | None = None) -> int:
    return kit.run("optimizers", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
