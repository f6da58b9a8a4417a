"""Regularization: dropout, weight decay, early stopping and batch normalization.

A network with far more parameters than training examples can memorise its training set,
label noise included: the training loss keeps falling while the loss on unseen data rises.
The train/held-out gap measures that overfitting. Regularizers trade a little training fit
for a smaller gap: dropout zeroes random units during training (inverted dropout rescales
the survivors by 1/(1-p) so nothing changes at test time), weight decay adds
lambda/2 ||w||^2 to the loss, early stopping rolls back to the epoch with the best
validation loss, and batch normalization normalises each feature over the mini-batch,
whose noise also regularizes.

You write dropout, batch normalization and the early-stopping rule. The lab checks dropout
against its definition (zero rate, rescaling, identity in eval mode), batch norm against
nn.BatchNorm1d in float64 (train and eval outputs, running statistics with the unbiased
variance, gradients) and early stopping on hand-worked histories (ties, patience). Then
one over-sized MLP trains on a small noisy two-moons set five ways with the same data,
init, optimizer and batch order: plain and with each regularizer (early stopping rolls
the plain run back). The gap is held-out minus training cross-entropy (eval mode, a test
split no method sees); each regularizer should narrow it by 20% (mean over 2 seeds in
--quick, 8 in full). Dropout's is graded (without the 1/(1-p) the test-time activations
are off); the others follow from the checks above and are shown.

$ python labs/regularization.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("dropout", "batch_norm", "early_stopping")


@dataclass(frozen=True)
class Config:
    n_train: int = 64  # training points: few, so the network can memorise them
    label_noise: float = 0.2  # fraction of flipped labels (what memorising learns wrongly)
    hidden: int = 64  # units in each of the two hidden layers (about 4.5k parameters)
    epochs: int = 80  # training epochs for every variant
    batch: int = 16  # mini-batch size (batch norm needs mini-batches)
    lr: float = 0.1  # SGD learning rate
    momentum: float = 0.9  # SGD momentum
    p_drop: float = 0.5  # dropout probability
    weight_decay: float = 3e-2  # L2 coefficient lambda: wd * w is added to each gradient
    patience: int = 10  # early stopping: epochs without a new best validation loss
    seeds: int = 8  # independent runs (data, init, batch order) averaged per variant
    min_narrowing: float = 0.2  # each regularizer must shrink the mean gap by >= 20%


def dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Inverted dropout of ``x`` (any shape).

    In training (``training`` True), zero each element with probability ``p``
    and scale the survivors by ``1 / (1 - p)``, so the expected value is unchanged; in eval
    mode (``training`` False) return ``x`` unchanged: no mask, no scaling.
    """
    if not training or p == 0.0:
        return x
    keep = (torch.rand_like(x) >= p).to(x.dtype)  # 1 with probability 1 - p
    return x * keep / (1.0 - p)


def batch_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
               running_mean: torch.Tensor, running_var: torch.Tensor, training: bool,
               momentum: float = 0.1, eps: float = 1e-5):
    """Batch normalization of ``x`` (N, C) over the batch, as nn.BatchNorm1d does it.

    Training: ``x_hat = (x - mean) / sqrt(var + eps)`` with the batch mean and the *biased*
    batch variance (divide by N), and updated running statistics
    ``(1 - momentum) * old + momentum * batch`` where the running variance takes the
    *unbiased* batch variance (divide by N - 1). Gradients flow through the batch mean and
    variance. Eval: normalise with the running statistics, which are returned unchanged.
    Returns ``(y, new_running_mean, new_running_var)`` with ``y = gamma * x_hat + beta``.
    """
    if training:
        mean = x.mean(dim=0)  # (C,)
        var = x.var(dim=0, unbiased=False)  # (C,) used to normalise
        n = x.shape[0]
        new_mean = (1 - momentum) * running_mean + momentum * mean.detach()
        new_var = (1 - momentum) * running_var + momentum * var.detach() * n / (n - 1)
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean, running_var
    x_hat = (x - mean) / torch.sqrt(var + eps)  # (N, C)
    return gamma * x_hat + beta, new_mean, new_var


def early_stopping(val_losses: list[float], patience: int) -> int | None:
    """Early stopping, asked after each epoch with the validation losses so far (epoch 0 first).

    The best epoch is the *first* one with the lowest loss (a later equal loss is no
    improvement). Once the last ``patience`` epochs have all come after the best one (no
    strictly lower loss for ``patience`` epochs in a row), return the best epoch's index:
    training stops and rolls back to it. Otherwise return ``None`` (keep training).
    """
    best = min(range(len(val_losses)), key=lambda i: val_losses[i])  # first minimum
    return best if len(val_losses) - 1 - best >= patience else None


class BatchNorm(torch.nn.Module):
    """A BatchNorm1d built on ``batch_norm``: learnable gamma/beta, running-statistic buffers."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.gamma = torch.nn.Parameter(torch.ones(c))
        self.beta = torch.nn.Parameter(torch.zeros(c))
        self.register_buffer("running_mean", torch.zeros(c))
        self.register_buffer("running_var", torch.ones(c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, self.running_mean, self.running_var = batch_norm(
            x, self.gamma, self.beta, self.running_mean, self.running_var, self.training)
        return y


class MLP(torch.nn.Module):
    """2 -> hidden -> hidden -> 2; each hidden layer: Linear, [BatchNorm], ReLU, [dropout]."""

    def __init__(self, hidden: int, p: float = 0.0, bn: bool = False) -> None:
        super().__init__()
        self.l1, self.l2 = torch.nn.Linear(2, hidden), torch.nn.Linear(hidden, hidden)
        self.out, self.p = torch.nn.Linear(hidden, 2), p
        self.n1 = BatchNorm(hidden) if bn else torch.nn.Identity()
        self.n2 = BatchNorm(hidden) if bn else torch.nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for lin, norm in ((self.l1, self.n1), (self.l2, self.n2)):
            x = F.relu(norm(lin(x)))  # (N, hidden)
            x = dropout(x, self.p, self.training) if self.p else x
        return self.out(x)  # (N, 2) logits


def moons(gen: torch.Generator, n: int, noise: float, flip: float):
    """Two interleaved half-circles with Gaussian noise and a fraction of flipped labels."""
    y = torch.randint(0, 2, (n,), generator=gen)
    t = torch.rand(n, generator=gen) * math.pi
    upper = torch.stack([torch.cos(t), torch.sin(t)], 1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
    x = torch.where(y[:, None] == 1, lower, upper) + noise * torch.randn(n, 2, generator=gen)
    flipped = torch.rand(n, generator=gen) < flip
    return x, torch.where(flipped, 1 - y, y)


def evaluate(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(cross-entropy, accuracy) in eval mode."""
    model.eval()
    with torch.no_grad():
        logits = model(X)
        out = F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).double().mean().item()
    model.train()
    return out


def fit(cfg: Config, data: dict, seed: int, dev, p=0.0, bn=False, wd=0.0, es=False,
        curves=False):
    """Train one variant; every variant sees the same init (seed), data and batch order.

    ``es`` records the validation loss and the weights after each epoch (for early stopping);
    ``curves`` records per-epoch losses for the plot. Returns (model, losses, states).
    """
    torch.manual_seed(seed)
    model = MLP(cfg.hidden, p, bn).to(dev)
    params = list(model.parameters())
    velocity = [torch.zeros_like(q) for q in params]
    order = torch.Generator().manual_seed(seed + 1)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = data["train"], data["val"], data["test"]
    hist, states = {"train": [], "val": [], "test": []}, []
    for _ in range(cfg.epochs):
        perm = torch.randperm(len(Xtr), generator=order).to(dev)
        for i in range(0, len(Xtr), cfg.batch):
            idx = perm[i:i + cfg.batch]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():  # SGD with momentum; weight decay = gradient of wd/2 ||w||^2
                for q, g, v in zip(params, grads, velocity, strict=True):
                    v.mul_(cfg.momentum).add_(g + wd * q)
                    q.sub_(cfg.lr * v)
        for split, (X, y) in (("train", (Xtr, ytr)), ("val", (Xva, yva)), ("test", (Xte, yte))):
            if curves or (es and split == "val"):
                hist[split].append(evaluate(model, X, y)[0])
        if es:
            states.append({k: v.clone() for k, v in model.state_dict().items()})
    return model, hist, states


@kit.cached
def make_data(cfg: Config, seed: int, dev) -> dict:
    """The train/val/test splits of one seed (read only)."""
    gen = torch.Generator().manual_seed(seed)
    return {k: tuple(t.to(dev) for t in moons(gen, n, 0.25, cfg.label_noise))
            for k, n in (("train", cfg.n_train), ("val", 300), ("test", 1000))}


@kit.cached
def plain_fit(cfg: Config, seed: int, dev, wd: float, es: bool, curves: bool):
    """A variant without dropout or batch norm runs no exercise function: trained once.
    Returns (losses, states, final gaps); callers only read them."""
    data = make_data(cfg, seed, dev)
    model, hist, states = fit(cfg, data, seed, dev, wd=wd, es=es, curves=curves)
    return hist, states, model_gap(model, data)


def train(cfg: Config, data: dict, seed: int, dev, p=0.0, bn=False, wd=0.0, es=False,
          curves=False) -> dict:
    """Train one variant (see ``fit``). ``es`` also runs early stopping on the validation
    loss after each epoch (the run itself goes on to the end, so it doubles as the
    baseline) and rolls a copy back to the epoch it picks."""
    if p or bn:
        model, hist, states = fit(cfg, data, seed, dev, p, bn, wd, es, curves)
        final = model_gap(model, data)
    else:
        hist, states, final = plain_fit(cfg, seed, dev, wd, es, curves)
    result = {"hist": hist, "final": final}
    if es:
        stop = None
        for epoch in range(1, len(hist["val"]) + 1):  # asked after each epoch until it stops
            stop = early_stopping(list(hist["val"][:epoch]), cfg.patience)
            if stop is not None:
                break
        back = stop if stop is not None else early_stopping(list(hist["val"]), 0)  # ran out
        back = len(states) - 1 if back is None else back  # (a broken rule: no rollback)
        model = MLP(cfg.hidden, 0.0, False).to(dev)
        model.load_state_dict(states[back])
        result.update(stopped=model_gap(model, data), rollback=back)
    return result


def model_gap(model: torch.nn.Module, data: dict) -> dict:
    """Train/held-out cross-entropy and accuracy gaps on the test split."""
    tr_loss, tr_acc = evaluate(model, *data["train"])
    te_loss, te_acc = evaluate(model, *data["test"])
    return {"loss_gap": te_loss - tr_loss, "acc_gap": tr_acc - te_acc, "test_acc": te_acc}


def check_definitions(lab: kit.Lab) -> None:
    """Dropout against its definition; batch norm against nn.BatchNorm1d; early stopping table."""
    f64 = torch.float64
    with lab.guard("dropout runs"):
        n, p = 200_000, 0.3
        x = torch.randn(n, dtype=f64) + 2.0
        lab.check_equal("dropout in eval mode is the identity",
                        bool(torch.equal(dropout(x, p, False), x)), True,
                        hint="eval: return x as it is, no mask and no scaling")
        out = dropout(x, p, True)
        kept = out != 0
        sigma = math.sqrt(p * (1 - p) / n)
        lab.check_close(f"dropout zeroes a share p = {p} of the elements (4 binomial sigmas)",
                        1 - kept.double().mean().item(), p, rtol=0, atol=4 * sigma,
                        hint="keep an element when rand >= p (keep probability 1 - p)")
        lab.check_close("survivors scaled by 1/(1-p)", out[kept], x[kept] / (1 - p), rtol=1e-12,
                        hint="inverted dropout divides the kept values by 1 - p")
    with lab.guard("batch_norm runs"):
        gen = torch.Generator().manual_seed(lab.seed)
        x = (3.0 + 2.0 * torch.randn(32, 6, generator=gen, dtype=f64)).requires_grad_(True)
        ref = torch.nn.BatchNorm1d(6, eps=1e-5, momentum=0.1, dtype=f64)
        with torch.no_grad():
            ref.weight.copy_(torch.rand(6, generator=gen, dtype=f64) + 0.5)
            ref.bias.copy_(torch.randn(6, generator=gen, dtype=f64))
            ref.running_mean.copy_(torch.randn(6, generator=gen, dtype=f64))
            ref.running_var.copy_(torch.rand(6, generator=gen, dtype=f64) + 0.5)
        gamma = ref.weight.detach().clone().requires_grad_(True)
        beta = ref.bias.detach().clone().requires_grad_(True)
        rm0, rv0 = ref.running_mean.clone(), ref.running_var.clone()
        upstream = torch.randn(32, 6, generator=gen, dtype=f64)  # dL/dy for the gradient check
        y_ref = ref(x)  # training mode: updates ref's running statistics
        g_ref = torch.autograd.grad((y_ref * upstream).sum(), [x, ref.weight, ref.bias])
        y, rm, rv = batch_norm(x, gamma, beta, rm0, rv0, True, 0.1, 1e-5)
        lab.check_close("batch norm (train) = nn.BatchNorm1d", y, y_ref, rtol=1e-10,
                        hint="normalise with the biased variance, eps inside the sqrt")
        lab.check_close("running mean = nn.BatchNorm1d's", rm, ref.running_mean, rtol=1e-12,
                        hint="(1 - momentum) * old + momentum * batch mean")
        lab.check_close("running var (unbiased batch variance) = nn.BatchNorm1d's", rv,
                        ref.running_var, rtol=1e-12, hint="the running variance uses N - 1")
        g = torch.autograd.grad((y * upstream).sum(), [x, gamma, beta])
        lab.check_close("gradients for x, gamma, beta = autograd of nn.BatchNorm1d",
                        torch.cat([t.reshape(-1) for t in g]),
                        torch.cat([t.reshape(-1) for t in g_ref]), rtol=1e-8, atol=1e-12,
                        hint="do not detach the batch mean and variance used to normalise")
        ref.eval()
        y_eval, rm_e, rv_e = batch_norm(x, gamma, beta, ref.running_mean, ref.running_var, False)
        lab.check_close("batch norm (eval) uses the running statistics = nn.BatchNorm1d",
                        y_eval, ref(x), rtol=1e-10, hint="eval: no batch statistics at all")
        lab.check_equal("eval leaves the running statistics unchanged",
                        bool(torch.equal(rm_e, ref.running_mean)
                             and torch.equal(rv_e, ref.running_var)), True)
    with lab.guard("early_stopping runs"):
        cases = [([1.0, 0.8, 0.9, 0.85, 0.95], 3, 1), ([1.0, 0.8, 0.9, 0.85], 3, None),
                 ([1.0, 0.8, 0.8, 0.8, 0.8], 3, 1), ([3.0, 2.0, 1.0, 0.5], 1, None),
                 ([2.0, 1.0, 1.5, 0.9, 1.1, 1.2], 2, 3), ([0.5], 0, 0),
                 ([1.0, 0.7, 0.9, 0.7, 0.95, 0.96], 2, 1), ([1.0, 1.2, 0.99], 1, None)]
        got = [early_stopping(h, pat) for h, pat, _ in cases]
        lab.table("early_stopping_cases", ["validation losses", "patience", "expected", "yours"],
                  [[str(h), pat, str(want), str(g)] for (h, pat, want), g in
                   zip(cases, got, strict=True)], title="early stopping on hand-worked histories")
        lab.check_equal("early stopping on hand-worked histories (ties, patience counting)", got,
                        [c[2] for c in cases],
                        hint="stop when len(losses) - 1 - first_best >= patience")


def body(lab: kit.Lab) -> None:
    cfg = Config(seeds=lab.pick(2, 8))
    dev = lab.torch_device
    lab.section("dropout, batch norm and early stopping vs their oracles")
    check_definitions(lab)

    lab.section(f"overfitting task: {cfg.n_train} noisy two-moons points, MLP {cfg.hidden}x2")
    variants = {"baseline": {}, "dropout": {"p": cfg.p_drop},
                "weight decay": {"wd": cfg.weight_decay}, "batch norm": {"bn": True}}
    gaps = {name: [] for name in [*variants, "early stopping"]}
    acc_gaps = {name: [] for name in gaps}
    curves = {}
    with lab.guard("training with dropout / batch_norm / early_stopping runs"):
        for s in range(cfg.seeds):
            seed = lab.seed * 1000 + s
            data = make_data(cfg, seed, dev)
            for name, kw in variants.items():
                r = train(cfg, data, seed, dev, es=name == "baseline", curves=s == 0, **kw)
                gaps[name].append(r["final"]["loss_gap"])
                acc_gaps[name].append(r["final"]["acc_gap"])
                if name == "baseline":
                    gaps["early stopping"].append(r["stopped"]["loss_gap"])
                    acc_gaps["early stopping"].append(r["stopped"]["acc_gap"])
                    curves["rollback"] = curves.get("rollback", r["rollback"])
                curves.setdefault(name, r["hist"])
        mean = {k: sum(v) / len(v) for k, v in gaps.items()}
        base = mean["baseline"]
        for k, v in mean.items():
            lab.metric(f"{k.replace(' ', '_')}_loss_gap", v)
        with lab.shown():  # the baseline and weight decay run the lab's code only
            lab.check_ge("baseline overfits (held-out CE - train CE)", base, 0.1)
        for name in [k for k in gaps if k != "baseline"]:
            lab.check_le(f"{name} narrows the loss gap by >= {cfg.min_narrowing:.0%} "
                         f"(mean over {cfg.seeds} seed(s))", mean[name],
                         (1 - cfg.min_narrowing) * base, f"baseline gap {base:.3f}",
                         graded=name == "dropout")  # the others follow from the checks above
        lab.table("gaps", ["variant", "held-out CE - train CE", "train acc - held-out acc"],
                  [[k, mean[k], sum(acc_gaps[k]) / cfg.seeds] for k in mean],
                  title=f"train/held-out gaps, mean over {cfg.seeds} seed(s)")
        lab.conclude(f"The over-sized MLP's held-out minus training loss gap was {base:.2f}; "
                     f"your dropout cut it to {mean['dropout']:.2f}, your batch norm to "
                     f"{mean['batch norm']:.2f} and your early stopping (first seed rolled back "
                     f"to epoch {curves['rollback']}) to {mean['early stopping']:.2f}; weight "
                     f"decay reached {mean['weight decay']:.2f}.")

        fig, ax = plt.subplots(figsize=(7, 4))  # the gaps themselves are in the table
        for i, name in enumerate(variants):
            ax.plot(curves[name]["test"], color=f"C{i}", label=f"{name} held-out")
            ax.plot(curves[name]["train"], color=f"C{i}", ls=":", lw=1)
        ax.axvline(curves["rollback"], color="k", ls="--", lw=1, label="early-stopping epoch")
        ax.set(xlabel="epoch", ylabel="cross-entropy (dotted: train)",
               title="train vs held-out loss (first seed)")
        ax.legend(fontsize=8, loc="lower left")
        lab.savefig(fig, "regularization.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("regularization", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
