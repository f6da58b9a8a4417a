"""Backpropagation: the chain rule, applied layer by layer from the loss back to the inputs.

A network is a composition of simple functions. The forward pass computes and caches every
intermediate value; the backward pass walks the same graph in reverse and multiplies local
derivatives (the chain rule), so that every parameter receives dLoss/dparameter at the cost
of about one more forward pass. Errors flow backwards: the gradient at a layer's output is
turned into gradients for its weights and for its input, which is the upstream layer's
output gradient.

You write the forward and the backward pass of a 2-layer MLP (tanh hidden layer, softmax
cross-entropy) with plain tensor operations. The lab checks the loss (also with logits in
the thousands, where a softmax without the max shift overflows), checks each of the four
gradients against torch.autograd in float64 (max relative error < 1e-7: float64 because
the comparison is only as exact as the arithmetic), and trains the network on a 3-class
spiral with nothing but your gradients.

$ python labs/backpropagation.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("mlp_forward", "mlp_backward")


@dataclass
class Config:
    n_per_class: int = 300  # spiral points per class
    classes: int = 3  # spiral arms = classes
    hidden: int = 100  # hidden units
    steps: int = 3000  # full-batch gradient-descent steps with the hand-written gradients
    lr: float = 1.0  # gradient-descent learning rate
    grad_tol: float = 1e-7  # max relative error vs autograd (float64)


def mlp_forward(X: torch.Tensor, y: torch.Tensor, params: dict) -> tuple[torch.Tensor, dict]:
    """Forward pass: ``h = tanh(X @ W1 + b1)``, ``logits = h @ W2 + b2``, mean cross-entropy.

    Shapes: X (N, D), y (N,) class indices, W1 (D, H), b1 (H,), W2 (H, C), b2 (C,); all
    float64 (keep it: gradients are checked to 1e-7 relative error). Returns ``(loss,
    cache)``: the scalar loss tensor and whatever ``mlp_backward`` needs. Use plain tensor
    operations (no autograd, no torch.nn); subtract each row's max logit before exp, so
    logits in the thousands do not overflow (softmax does not change under a shift).
    """
    h = torch.tanh(X @ params["W1"] + params["b1"])  # (N, H)
    logits = h @ params["W2"] + params["b2"]  # (N, C)
    shifted = logits - logits.max(dim=1, keepdim=True).values  # for a stable softmax
    log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))  # (N, C)
    loss = -log_probs[torch.arange(len(y), device=y.device), y].mean()
    return loss, {"X": X, "y": y, "h": h, "probs": torch.exp(log_probs)}


def mlp_backward(cache: dict, params: dict) -> dict:
    """Backward pass: gradients of the mean loss, ``{"W1": ..., "b1": ..., "W2": ..., "b2": ...}``.

    ``cache`` is what your ``mlp_forward`` returned. Each gradient has the shape of its
    parameter (float64). By the chain rule, from the loss back: dlogits = (softmax -
    onehot) / N, then through W2 (a bias gradient sums over the batch), then through tanh
    (1 - h^2), then W1. Each of the four is checked against autograd to 1e-7.
    """
    X, y, h, probs = cache["X"], cache["y"], cache["h"], cache["probs"]
    n = X.shape[0]
    dlogits = probs.clone()  # (N, C)
    dlogits[torch.arange(n, device=y.device), y] -= 1.0
    dlogits /= n  # the loss is a mean over N
    dW2 = h.T @ dlogits  # (H, C)
    db2 = dlogits.sum(dim=0)  # (C,)
    dh = dlogits @ params["W2"].T  # (N, H)
    dpre = dh * (1.0 - h**2)  # tanh'(z) = 1 - tanh(z)^2
    dW1 = X.T @ dpre  # (D, H)
    db1 = dpre.sum(dim=0)  # (H,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


HINTS = {"W1": "X.T @ (dh * (1 - h**2)): tanh'(z) = 1 - tanh(z)^2",
         "b1": "sum dpre over the batch (the 1/N is already in dlogits)",
         "W2": "h.T @ dlogits, shape (H, C)", "b2": "sum dlogits over the batch"}


def spiral(n_per_class: int, classes: int, gen: torch.Generator):
    """CS231n's spiral: ``classes`` interleaved arms in 2-D, not linearly separable."""
    xs, ys = [], []
    for c in range(classes):
        r = torch.linspace(0.0, 1.0, n_per_class, dtype=torch.float64)
        t = torch.linspace(c * 4.0, (c + 1) * 4.0, n_per_class, dtype=torch.float64)
        t = t + 0.2 * torch.randn(n_per_class, generator=gen, dtype=torch.float64)
        xs.append(torch.stack([r * torch.sin(t), r * torch.cos(t)], dim=1))
        ys.append(torch.full((n_per_class,), c, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


def init_params(d: int, h: int, c: int, gen: torch.Generator, dev) -> dict:
    """Small random weights (float64); biases random too so their gradients are checked."""
    def rnd(*shape, scale=1.0):
        return (scale * torch.randn(*shape, generator=gen, dtype=torch.float64)).to(dev)
    return {"W1": rnd(d, h, scale=1 / math.sqrt(d)), "b1": rnd(h, scale=0.1),
            "W2": rnd(h, c, scale=1 / math.sqrt(h)), "b2": rnd(c, scale=0.1)}


def body(lab: kit.Lab) -> None:
    cfg = Config(n_per_class=lab.pick(100, 300), hidden=lab.pick(64, 100),
                 steps=lab.pick(1500, 5000))
    dev = lab.torch_device
    gen = torch.Generator().manual_seed(lab.seed)

    lab.section("hand-written gradients vs autograd (float64)")
    X = torch.randn(16, 5, generator=gen, dtype=torch.float64).to(dev)  # (N, D) small batch
    y = torch.randint(0, 4, (16,), generator=gen).to(dev)
    params = init_params(5, 7, 4, gen, dev)
    ref = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    ref_loss = torch.nn.functional.cross_entropy(
        torch.tanh(X @ ref["W1"] + ref["b1"]) @ ref["W2"] + ref["b2"], y)
    auto = dict(zip(ref, torch.autograd.grad(ref_loss, list(ref.values())), strict=True))
    rel_errors = {}
    with lab.guard("mlp_forward runs"):
        loss, cache = mlp_forward(X, y, params)
        lab.check_close("loss = F.cross_entropy (mean over the batch)", loss, ref_loss,
                        rtol=1e-12, hint="mean of -log softmax at the true class; tanh hidden")
        shifted = {**params, "b2": params["b2"] + 1000.0}  # logits in the thousands
        lab.check_close("logits shifted by +1000: same loss, no overflow", mlp_forward(
            X, y, shifted)[0], ref_loss, rtol=1e-12, hint="subtract each row's max logit")
        with lab.guard("mlp_backward runs"):
            grads = mlp_backward(cache, params)
            for name in ("W1", "b1", "W2", "b2"):
                lab.check_close(f"d loss / d {name} = autograd", grads[name], auto[name],
                                rtol=cfg.grad_tol, atol=1e-14, hint=HINTS[name])
                g, a = grads[name].detach().double(), auto[name]
                if g.shape == a.shape:
                    rel_errors[name] = float(((g - a).abs() / (g.abs() + a.abs()).clamp_min(
                        1e-300)).max())
    for name, err in rel_errors.items():
        lab.metric(f"rel_error_{name}", err)

    lab.section("train on a spiral with the hand-written gradients only")
    Xs, ys = spiral(cfg.n_per_class, cfg.classes, gen)
    Xs, ys = Xs.to(dev), ys.to(dev)
    params = init_params(2, cfg.hidden, cfg.classes, gen, dev)
    losses = []
    with lab.guard("training with mlp_forward / mlp_backward runs"):
        for _ in range(cfg.steps):
            loss, cache = mlp_forward(Xs, ys, params)
            grads = mlp_backward(cache, params)
            params = {k: v - cfg.lr * grads[k] for k, v in params.items()}
            losses.append(float(loss))
        h = torch.tanh(Xs @ params["W1"] + params["b1"])  # predictions computed here, not by
        acc = float(((h @ params["W2"] + params["b2"]).argmax(1) == ys).double().mean())  # you
        lab.check_le("loss fell to under a quarter of its start", losses[-1], losses[0] / 4)
        lab.check_ge("spiral training accuracy (a linear model gets about 0.5)", acc, 0.9)
        lab.metric("spiral_accuracy", acc)
        lab.metric("final_loss", losses[-1])

        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
        if rel_errors:
            axes[0].bar(list(rel_errors), [max(e, 1e-18) for e in rel_errors.values()])
            axes[0].axhline(cfg.grad_tol, color="r", ls="--", label=f"tolerance {cfg.grad_tol:g}")
            axes[0].set(yscale="log", ylabel="max relative error",
                        title="hand-written vs autograd gradients")
            axes[0].legend()
        axes[1].semilogy(losses)
        axes[1].set(xlabel="step", ylabel="cross-entropy",
                    title=f"spiral, hand-written backprop (acc {acc:.2f})")
        lab.savefig(fig, "backprop.png")
        worst = max(rel_errors.values()) if rel_errors else float("nan")
        lab.conclude(f"Your hand-written backward pass matched autograd on the 2-layer MLP's "
                     f"gradients (worst relative error {worst:.0e}, float64) and, with nothing "
                     f"else, trained it to {acc:.0%} accuracy on the {cfg.classes}-arm spiral.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("backpropagation", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
