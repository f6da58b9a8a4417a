"""Optimizers: SGD, momentum, RMSprop and Adam, written by hand.

Every optimizer turns a gradient into a parameter update. SGD steps against the gradient.
Momentum keeps a running sum of past gradients (buf <- mu * buf + g), so steps build up
along consistent directions and cancel across oscillating ones: in a long curved valley
like Rosenbrock's it travels orders of magnitude further than plain SGD with the same
stable step. Nesterov momentum looks ahead along that velocity. RMSprop divides each
coordinate's step by the root of a running mean of its squared gradients, so every
coordinate moves at a similar pace (and with a constant lr it never settles: its steps
stay about lr long). Adam combines both running means (m, v) and corrects their bias
toward zero in the first steps, so its first update moves each parameter by about lr.
Weight decay comes in two kinds: L2 (SGD, Adam) adds wd * p to the gradient, so Adam
rescales it like any gradient; AdamW decays the weights directly, p <- p (1 - lr wd).

You write the update rules as plain functions on lists of tensors. Whole training
trajectories of a small MLP in float32, step by step, must equal torch.optim's (SGD,
momentum, Nesterov + weight decay, RMSprop, Adam + L2, AdamW, non-default betas and
alpha) to within float32 round-off (1e-4 relative or 5e-5 absolute per parameter); then
on the Rosenbrock valley momentum must beat SGD and Adam must reach the minimum.

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
    rtol: float = 1e-4  # float32: relative error allowed per parameter ...
    atol: float = 5e-5  # ... or absolute error (parameters are O(0.1 - 1); round-off ~1e-6)
    rosen_steps: int = 2000  # steps on the Rosenbrock function


def sgd_step(params: list, grads: list, state: dict, lr: float, momentum: float = 0.0,
             nesterov: bool = False, weight_decay: float = 0.0) -> list:
    """One SGD step as in torch.optim.SGD (dampening 0); returns the new parameters.

    For each parameter p with gradient g: g <- g + weight_decay * p; with momentum:
    buf <- g on the first step, else buf <- momentum * buf + g, and the step direction is
    buf (or g + momentum * buf for Nesterov); p <- p - lr * direction. ``state`` is the
    same dict on every call of one run (keep buf there).
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

    v <- alpha * v + (1 - alpha) * g^2 (v starts at 0, kept in ``state``);
    p <- p - lr * g / (sqrt(v) + eps). Returns the new parameters.
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

    Adam adds weight_decay * p to the gradient; AdamW instead first shrinks p to
    p * (1 - lr * weight_decay). Then m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2
    (both start at 0); with t the number of this step (1 on the first call),
    p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). ``state`` keeps m, v
    and t between calls. Returns the new parameters.
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


@kit.cached
def _problem(seed: int, n: int, d_in: int, hidden: int, dev) -> tuple:
    """The regression data and the MLP's initial parameters (X, y, params0), same per seed."""
    f32 = torch.float32
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d_in, generator=g, dtype=f32).to(dev)
    y = torch.sin(X.sum(1, keepdim=True)).to(dev)  # (n, 1) a smooth target
    params0 = ((torch.randn(d_in, hidden, generator=g, dtype=f32) / d_in**0.5).to(dev),
               torch.zeros(hidden, dtype=f32, device=dev),
               (torch.randn(hidden, 1, generator=g, dtype=f32) / hidden**0.5).to(dev),
               torch.zeros(1, dtype=f32, device=dev))
    return X, y, params0


@kit.cached
def _torch_reference(opt_name: str, kw: tuple, seed: int, n: int, d_in: int, hidden: int,
                     steps: int, dev) -> np.ndarray:
    """torch.optim's trajectory (read-only), computed once per setting and seed."""
    X, y, params0 = _problem(seed, n, d_in, hidden, dev)
    ref = _torch_trajectory(getattr(torch.optim, opt_name), list(params0), X, y, steps,
                            **dict(kw))
    ref.setflags(write=False)
    return ref


def _rosenbrock(p: torch.Tensor) -> torch.Tensor:
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def _rosenbrock_grad(p: torch.Tensor) -> torch.Tensor:
    x0, x1 = p
    return torch.stack([-2 * (1 - x0) - 400 * x0 * (x1 - x0**2), 200 * (x1 - x0**2)])


def body(lab: kit.Lab) -> None:
    cfg = Config(steps=lab.pick(100, 150), n=lab.pick(64, 1024), hidden=lab.pick(16, 64),
                 rosen_steps=lab.pick(2000, 5000))
    dev, f32 = lab.torch_device, torch.float32
    X, y, params0 = _problem(lab.seed, cfg.n, cfg.d_in, cfg.hidden, dev)
    params0 = list(params0)
    g = torch.Generator().manual_seed(lab.seed + 1)  # for the Adam first-step gradients
    opt = torch.optim
    cases = [  # (name, our step, kwargs for both ours and torch's, torch optimizer)
        ("SGD", sgd_step, {"lr": 0.1}, opt.SGD),
        ("SGD momentum 0.9", sgd_step, {"lr": 0.05, "momentum": 0.9}, opt.SGD),
        ("SGD Nesterov + weight decay", sgd_step,
         {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-2}, opt.SGD),
        ("RMSprop", rmsprop_step, {"lr": 1e-2}, opt.RMSprop),
        ("RMSprop alpha 0.95, lr 1e-3", rmsprop_step, {"lr": 1e-3, "alpha": 0.95}, opt.RMSprop),
        ("Adam + L2", adam_step, {"lr": 1e-2, "weight_decay": 1e-3}, opt.Adam),
        ("Adam betas (0.8, 0.99), eps 1e-4", adam_step,
         {"lr": 1e-2, "betas": (0.8, 0.99), "eps": 1e-4}, opt.Adam),
        ("AdamW", adam_step, {"lr": 1e-2, "weight_decay": 0.1}, opt.AdamW),
    ]
    hints = {"SGD": "p - lr * (g + weight_decay * p)",
             "RMSprop": "v starts at 0; eps goes outside the square root",
             "Adam": "t counts from 1; bias-correct both m and v; eps outside the root",
             "AdamW": "decoupled: p * (1 - lr * wd), the decay never enters m or v"}
    lab.section(f"float32 trajectories vs torch.optim ({cfg.steps} steps)")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
    matched = 0
    for name, step_fn, kw, opt_cls in cases:
        with lab.guard(f"{name} runs"):
            ours = _trajectory(step_fn, params0, X, y, cfg.steps,
                               **({**kw, "decoupled": True} if opt_cls is opt.AdamW else kw))
            ref = _torch_reference(opt_cls.__name__, tuple(sorted(kw.items())), lab.seed,
                                   cfg.n, cfg.d_in, cfg.hidden, cfg.steps, dev)
            matched += lab.check_close(
                f"{name}: every step = torch.optim.{opt_cls.__name__}", ours, ref,
                rtol=cfg.rtol, atol=cfg.atol, hint=hints[name.split()[0]])
            every = max(1, cfg.steps // 50)  # plot about 50 points per curve
            losses = [float(_mlp_loss(_unflat(r, params0), X, y)) for r in ours[::every]]
            a1.semilogy(np.arange(len(losses)) * every, losses, label=name)
    a1.set(xlabel="step", ylabel="training MSE", title="small MLP (your optimizers)")
    a1.legend(fontsize=7)

    lab.section("Adam's bias correction: the first step moves every parameter by ~lr")
    with lab.guard("adam first step"):
        zeros = [torch.zeros_like(p) for p in params0]
        grads = [(torch.rand(p.shape, generator=g, dtype=f32) + 0.5).to(dev)
                 * torch.sign(torch.randn(p.shape, generator=g, dtype=f32)).to(dev)
                 for p in params0]  # |g| in [0.5, 1.5]: eps is negligible
        moved = adam_step(zeros, grads, {}, lr=1e-3)
        delta = torch.cat([m.reshape(-1) for m in moved])
        lab.check_close("first Adam step from 0 = -lr * sign(g), every parameter", delta,
                        -1e-3 * torch.cat([torch.sign(q).reshape(-1) for q in grads]),
                        rtol=1e-5, hint="divide m by 1 - b1^t and v by 1 - b2^t, t = 1")

    lab.section(f"the Rosenbrock valley from (-1.2, 1), minimum at (1, 1): {cfg.rosen_steps} "
                "steps")
    xx, yy = np.meshgrid(np.linspace(-1.5, 1.5, 200), np.linspace(-0.5, 1.5, 200))
    a2.contour(xx, yy, np.log1p((1 - xx) ** 2 + 100 * (yy - xx**2) ** 2), levels=12,
               colors="0.75", linewidths=0.6)
    runs = (("SGD lr 1e-3", sgd_step, {"lr": 1e-3}, "-"),
            ("momentum 0.9 lr 5e-4", sgd_step, {"lr": 5e-4, "momentum": 0.9}, "--"),
            ("RMSprop lr 1e-2", rmsprop_step, {"lr": 1e-2}, ":"),
            ("Adam lr 5e-2", adam_step, {"lr": 5e-2}, "-."))
    final, rows = {}, []
    for name, step_fn, kw, style in runs:
        with lab.guard(f"Rosenbrock {name}"):
            p, state, path = [torch.tensor([-1.2, 1.0], dtype=torch.float64)], {}, []
            for _ in range(cfg.rosen_steps):
                path.append(p[0].detach().cpu().numpy().copy())
                p = step_fn(p, [_rosenbrock_grad(p[0])], state, **kw)
            path = np.array(path)
            final[name.split()[0]] = f = float(_rosenbrock(p[0]))
            rows.append([name, f, float(torch.linalg.vector_norm(p[0] - 1.0))])
            (line,) = a2.plot(path[:, 0], path[:, 1], style, lw=1.6, label=f"{name}: f = {f:.0e}")
            a2.plot(*p[0].detach().cpu().numpy(), "o", color=line.get_color())  # where it ended
    if rows:
        lab.table("rosenbrock", ["optimizer", "final f", "distance to (1, 1)"], rows,
                  title=f"Rosenbrock after {cfg.rosen_steps} steps from (-1.2, 1)")
    if {"SGD", "momentum"} <= final.keys():
        lab.check_le("momentum ends 100x lower than SGD (f_momentum / f_SGD)",
                     final["momentum"] / final["SGD"], 1e-2,
                     hint="buf <- momentum * buf + g, with no (1 - momentum) damping")
    if "Adam" in final:
        lab.check_le("Adam reaches the minimum: f(final)", final["Adam"], 1e-6)
    a2.plot([1], [1], "k*", ms=10)
    a2.set(xlim=(-1.5, 1.5), ylim=(-0.5, 1.5), title=f"Rosenbrock, {cfg.rosen_steps} steps")
    a2.legend(fontsize=7)
    lab.savefig(fig, "optimizers.png")
    if matched == len(cases) and len(final) == 4:
        lab.conclude(f"Your optimizers reproduced torch.optim over {cfg.steps} float32 steps in "
                     f"all {len(cases)} settings; on Rosenbrock momentum ended at "
                     f"f = {final['momentum']:.0e} against SGD's {final['SGD']:.0e}, and Adam "
                     f"reached f = {final['Adam']:.0e}.")


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
