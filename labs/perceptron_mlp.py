"""Perceptrons and multilayer networks: Rosenblatt's rule, and why XOR needs a hidden layer.

A perceptron predicts sign(w.x + b). Rosenblatt's rule nudges (w, b) by lr * y_i * (x_i, 1)
every time it misclassifies x_i (a point on the line counts as a mistake); on linearly
separable data it stops after at most (R / gamma)^2 updates (Novikoff's theorem: R bounds
the inputs, gamma is the margin). No line separates XOR, so any perceptron gets at most 3
of its 4 corners right and never stops making mistakes.

One hidden layer with a nonlinearity (a multilayer perceptron, MLP) bends the boundary and
solves XOR. It is trained by repeating one *training step*: the forward pass
logits = tanh(X W1 + b1) W2 + b2, the mean binary cross-entropy loss, its gradients
(autograd's loss.backward() does the chain rule; the backpropagation lab writes it by hand)
and the update p <- p - lr * dloss/dp. Without the tanh the two layers collapse into one
linear map and XOR stays unsolved.

You write the perceptron rule and the MLP training step. The lab checks the perceptron on
a hand-worked trace, against sklearn.linear_model.Perceptron and Novikoff's bound, and on
XOR (where it must fail); it checks your step against autograd in float64 and then trains
the MLP on XOR with nothing but your step.

$ python labs/perceptron_mlp.py --quick
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("perceptron_train", "mlp_train_step")


@dataclass
class Config:
    n_points: int = 400  # separable training points before the margin filter
    margin: float = 0.3  # planted margin: points closer than this to the true line are dropped
    max_epochs: int = 100  # perceptron passes over the data at most
    xor_per_corner: int = 100  # XOR training points around each of the 4 corners
    xor_noise: float = 0.15  # std of the Gaussian cloud around each corner
    hidden: int = 8  # MLP hidden units
    steps: int = 1500  # training steps for the MLP (full batch)
    lr: float = 0.5  # gradient-descent learning rate


def perceptron_train(X: np.ndarray, y: np.ndarray, lr: float = 1.0,
                     max_epochs: int = 100) -> tuple[np.ndarray, float, int, int]:
    """Rosenblatt's perceptron rule, samples in the given order, starting from w = 0, b = 0.

    Labels ``y`` are -1 or +1. For each x_i with ``y_i * (w @ x_i + b) <= 0`` (a mistake, a
    point on the line counts as one): ``w += lr * y_i * x_i`` and ``b += lr * y_i``. Stop after
    the first epoch (full pass) with no mistake, or after ``max_epochs`` epochs.
    Returns ``(w, b, n_updates, epochs_run)``: the weights (D,), the bias, the total number
    of updates over all epochs, and the number of epochs run (the mistake-free one included).
    """
    w, b, n_updates = np.zeros(X.shape[1]), 0.0, 0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for xi, yi in zip(X, y, strict=True):
            if yi * (xi @ w + b) <= 0:
                w = w + lr * yi * xi
                b = b + lr * yi
                mistakes += 1
        n_updates += mistakes
        if mistakes == 0:
            return w, float(b), n_updates, epoch
    return w, float(b), n_updates, max_epochs


def mlp_train_step(params: dict, X: torch.Tensor, y: torch.Tensor, lr: float) -> float:
    """One full-batch gradient-descent step of a two-layer MLP on the binary cross-entropy.

    ``params`` holds leaf tensors with requires_grad=True: ``W1`` (D, H), ``b1`` (H,),
    ``W2`` (H, 1), ``b2`` (1,). X is (N, D), y is (N, 1) with labels 0.0 or 1.0.
    Forward: ``logits = tanh(X @ W1 + b1) @ W2 + b2`` (N, 1); loss: the *mean* binary
    cross-entropy of sigmoid(logits) against y (F.binary_cross_entropy_with_logits).
    Backward: the gradient of that loss for every parameter (autograd is fine). Update:
    ``p <- p - lr * dloss/dp`` for all four, in place in ``params`` under torch.no_grad(),
    and leave no gradient behind that would add to the next step's (zero ``.grad``).
    Returns the loss *before* the update, as a Python float.
    """
    logits = torch.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]  # (N, 1)
    loss = F.binary_cross_entropy_with_logits(logits, y)
    grads = torch.autograd.grad(loss, list(params.values()))
    with torch.no_grad():
        for p, g in zip(params.values(), grads, strict=True):
            p -= lr * g
    return loss.item()


# ---------------------------------------------------------------------------- helpers
def separable_data(rng: np.random.Generator, n: int, margin: float, w_true: np.ndarray,
                   b_true: float):
    """Points on both sides of the planted line w_true.x + b_true = 0, none within ``margin``."""
    X = rng.uniform(-3, 3, size=(n, 2))
    dist = (X @ w_true + b_true) / np.linalg.norm(w_true)  # signed distance to the line
    keep = np.abs(dist) >= margin
    return X[keep], np.sign(dist[keep])


def xor_data(rng: np.random.Generator, per_corner: int, noise: float):
    """Gaussian clouds around (+-1, +-1); label 1 where the signs differ (XOR), else 0."""
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=np.float64)
    labels = np.array([0, 1, 1, 0], dtype=np.float64)
    X = np.concatenate([c + noise * rng.normal(size=(per_corner, 2)) for c in corners])
    return X, np.repeat(labels, per_corner), corners, labels


def init_params(d: int, h: int, gen: torch.Generator) -> dict:
    """nn.Linear's default init (uniform +-1/sqrt(fan_in)), float64 leaves."""
    def u(*shape, fan_in):
        return ((2 * torch.rand(*shape, generator=gen, dtype=torch.float64) - 1)
                / fan_in**0.5).requires_grad_(True)
    return {"W1": u(d, h, fan_in=d), "b1": u(h, fan_in=d), "W2": u(h, 1, fan_in=h),
            "b2": u(1, fan_in=h)}


def reference_step(params: dict, X, y, lr: float) -> tuple[dict, float]:
    """The oracle for one step: nn layers' math + autograd, on detached copies."""
    p = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], p["W1"].shape[1]), torch.nn.Tanh(),
                              torch.nn.Linear(p["W1"].shape[1], 1)).double()
    with torch.no_grad():  # nn.Linear stores weights as (out, in)
        net[0].weight.copy_(p["W1"].T), net[0].bias.copy_(p["b1"])
        net[2].weight.copy_(p["W2"].T), net[2].bias.copy_(p["b2"])
    loss = F.binary_cross_entropy_with_logits(net(X), y)
    g = torch.autograd.grad(loss, [net[0].weight, net[0].bias, net[2].weight, net[2].bias])
    grads = {"W1": g[0].T, "b1": g[1], "W2": g[2].T, "b2": g[3]}
    return {k: (p[k] - lr * grads[k]).detach() for k in p}, loss.item()


def flat(params: dict) -> torch.Tensor:
    return torch.cat([params[k].detach().reshape(-1) for k in ("W1", "b1", "W2", "b2")])


def check_perceptron(lab: kit.Lab, cfg: Config, rng: np.random.Generator) -> dict:
    """Hand-worked trace, separable data (sklearn, Novikoff), XOR; returns plot data."""
    # x1=(1,0)+ x2=(0,1)- x3=(1,1)+, lr 1: epoch 1 updates on all three (x1 and x3 lie on the
    # line, w.x+b = 0) -> w=(2,0), b=1; epoch 2 updates on x2 -> w=(2,-1), b=0; epoch 3 is
    # clean. So: 4 updates, 3 epochs; lr only scales (w, b); max_epochs=2 stops before epoch 3.
    Xh, yh = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, -1.0, 1.0])
    for lr, epochs, want in ((0.5, 100, 3), (1.0, 2, 2)):
        w, b, n, e = perceptron_train(Xh, yh, lr, epochs)
        lab.check_close(f"hand-worked trace, lr {lr}, max_epochs {epochs}: (w, b)",
                        np.r_[w, b], lr * np.array([2.0, -1.0, 0.0]), rtol=1e-12, atol=1e-15,
                        hint="a point exactly on the line (score 0) is a mistake: use <= 0")
        lab.check_equal(f"hand-worked trace, lr {lr}, max_epochs {epochs}: (updates, epochs)",
                        (int(n), int(e)), (4, want),
                        hint="count every update of every epoch; the clean epoch is counted")

    w_true = rng.normal(size=2)
    w_true, b_true = w_true / np.linalg.norm(w_true), 0.3  # planted separator, unit normal
    X, y = separable_data(rng, cfg.n_points, cfg.margin, w_true, b_true)
    Xa = np.c_[X, np.ones(len(X))]
    R = float(np.max(np.linalg.norm(Xa, axis=1)))  # radius of (x, 1)
    v = np.r_[w_true, b_true]
    gamma = float(np.min(y * (Xa @ v)) / np.linalg.norm(v))
    bound = (R / gamma) ** 2  # Novikoff: updates <= (R / gamma)^2 for any separator's margin
    w, b, n_updates, epochs = perceptron_train(X, y, 1.0, cfg.max_epochs)
    lab.check("converges on separable data: a clean epoch before max_epochs, accuracy 1",
              epochs < cfg.max_epochs and float(np.mean(np.sign(X @ w + b) == y)) == 1.0,
              f"epochs < {cfg.max_epochs}, accuracy 1",
              f"epochs {epochs}, accuracy {np.mean(np.sign(X @ w + b) == y):.3f}")
    lab.check_le("updates within Novikoff's bound (R/gamma)^2", n_updates, bound)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns that tol=None never "converges"
        ref = sklearn_perceptron(X, y, 0.7, epochs)
    w7, b7, _, _ = perceptron_train(X, y, 0.7, cfg.max_epochs)
    lab.check_close("(w, b) = sklearn Perceptron (shuffle=False, eta0=0.7)", np.r_[w7, b7], ref,
                    rtol=1e-12, hint="update with lr * y_i * x_i and lr * y_i")

    Xx, yx, _, _ = xor_data(rng, 25, cfg.xor_noise)
    wx, bx, nx, ex = perceptron_train(Xx, 2 * yx - 1, 1.0, 50)
    xor_acc = float(np.mean((Xx @ wx + bx > 0) == (yx > 0)))
    lab.check("XOR: the perceptron never converges (all 50 epochs) and gets <= 0.75",
              ex == 50 and xor_acc <= 0.75, "50 epochs, accuracy <= 0.75",
              f"{ex} epochs, accuracy {xor_acc:.3f}",
              hint="no line separates XOR: an epoch without mistakes is impossible")
    for name, val in (("perceptron_updates", n_updates), ("novikoff_bound", bound),
                      ("perceptron_epochs", epochs), ("perceptron_xor_accuracy", xor_acc)):
        lab.metric(name, val)
    return {"X": X, "y": y, "w": w, "b": b, "w_true": w_true, "b_true": b_true,
            "n_updates": n_updates, "epochs": epochs, "bound": bound, "xor_acc": xor_acc}


def sklearn_perceptron(X, y, eta0: float, epochs: int) -> np.ndarray:
    """sklearn's Perceptron (same rule, same order) as the oracle; returns (w, b)."""
    from sklearn.linear_model import Perceptron

    ref = Perceptron(shuffle=False, eta0=eta0, tol=None, max_iter=epochs, penalty=None,
                     alpha=0.0).fit(X, y)
    return np.r_[ref.coef_[0], ref.intercept_[0]]


def body(lab: kit.Lab) -> None:
    cfg = Config(n_points=lab.pick(200, 2000), xor_per_corner=lab.pick(50, 500),
                 steps=lab.pick(600, 3000))
    rng = np.random.default_rng(lab.seed)
    gen = torch.Generator().manual_seed(lab.seed)
    dev, f64 = lab.torch_device, torch.float64
    lab.section("the perceptron rule: a hand-worked trace, separable data, XOR")
    per = {}
    with lab.guard("perceptron_train runs"):
        per = check_perceptron(lab, cfg, rng)

    lab.section("your MLP training step vs autograd (float64)")
    Xx, yx, corners, corner_labels = xor_data(rng, cfg.xor_per_corner, cfg.xor_noise)
    Xt = torch.tensor(Xx, dtype=f64, device=dev)
    yt = torch.tensor(yx, dtype=f64, device=dev)[:, None]  # (N, 1)
    with lab.guard("mlp_train_step runs"):
        params = {k: v.to(dev).detach().requires_grad_(True)
                  for k, v in init_params(2, cfg.hidden, gen).items()}
        want1, loss0 = reference_step(params, Xt, yt, 0.3)
        want2, loss1 = reference_step(want1, Xt, yt, 0.3)
        before = dict(params)  # the tensor objects: a model or optimizer holds these
        got0 = mlp_train_step(params, Xt, yt, 0.3)
        lab.check_close("returned loss = mean BCE at the parameters before the step", got0,
                        loss0, rtol=1e-12, hint="mean, not sum; tanh between the layers")
        lab.check_close("one step: each parameter = p - lr * dloss/dp (autograd)",
                        flat(params), flat(want1), rtol=1e-10, atol=1e-14,
                        hint="step against the gradient, for the biases too")
        lab.check_equal("updated in place: params holds the same four tensors",
                        [params[k] is before[k] for k in before], [True] * 4,
                        hint="p -= lr * p.grad under torch.no_grad(), not params[k] = ...")
        got1 = mlp_train_step(params, Xt, yt, 0.3)
        lab.check_close("second step: no gradient left over from the first",
                        np.r_[got1, flat(params).cpu().numpy()],
                        np.r_[loss1, flat(want2).cpu().numpy()], rtol=1e-10, atol=1e-14,
                        hint="zero p.grad after the update (or use torch.autograd.grad)")

    lab.section(f"XOR trained with your step only ({cfg.steps} steps, lr {cfg.lr})")
    losses, acc, z = [], None, None
    with lab.guard("training XOR with mlp_train_step runs"):
        params = {k: v.to(dev).detach().requires_grad_(True)
                  for k, v in init_params(2, cfg.hidden, gen).items()}
        losses = [mlp_train_step(params, Xt, yt, cfg.lr) for _ in range(cfg.steps)]
        P = {k: v.detach() for k, v in params.items()}  # predictions computed here, not by you

        def predict(A):
            return torch.tanh(A @ P["W1"] + P["b1"]) @ P["W2"] + P["b2"]  # logits (N, 1)
        acc = float(((predict(Xt) > 0) == (yt > 0)).double().mean())
        ct = torch.tensor(corners, dtype=f64, device=dev)
        corner_pred = (predict(ct)[:, 0] > 0).double().cpu().numpy()
        lab.check("MLP solves XOR: training accuracy 1 and the 4 corners right",
                  acc == 1.0 and corner_pred.tolist() == corner_labels.tolist(),
                  f"1.0, corners {corner_labels.tolist()}",
                  f"{acc:.3f}, corners {corner_pred.tolist()}",
                  hint="without the tanh the network is linear, like the perceptron")
        lab.metric("mlp_xor_accuracy", acc)
        lab.metric("mlp_final_loss", losses[-1])
        g = np.linspace(-2, 2, 200)
        gx, gy = np.meshgrid(g, g)
        grid = torch.tensor(np.c_[gx.ravel(), gy.ravel()], dtype=f64, device=dev)
        z = torch.sigmoid(predict(grid)).cpu().numpy().reshape(gx.shape)

    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    if per:
        xs = np.linspace(-3, 3, 2)
        axes[0].scatter(per["X"][:, 0], per["X"][:, 1], c=per["y"], cmap="coolwarm", s=8)
        w, wt = per["w"], per["w_true"]
        axes[0].plot(xs, -(w[0] * xs + per["b"]) / w[1], "k-", label="your perceptron")
        axes[0].plot(xs, -(wt[0] * xs + per["b_true"]) / wt[1], "g--", label="planted")
        axes[0].set(xlim=(-3, 3), ylim=(-3, 3), title=f"perceptron: {per['n_updates']} updates "
                    f"(bound {per['bound']:.0f})")
        axes[0].legend(loc="lower left")
    if z is not None:
        axes[1].contourf(gx, gy, z, levels=20, cmap="coolwarm", alpha=0.6)
        axes[1].contour(gx, gy, z, levels=[0.5], colors="k")
        axes[1].scatter(Xx[:, 0], Xx[:, 1], c=yx, cmap="coolwarm", s=6, edgecolors="k",
                        linewidths=0.2)
        axes[1].set(title=f"MLP ({cfg.hidden} tanh units) on XOR: p(class 1)")
        axes[2].semilogy(losses)
        axes[2].set(xlabel="training step", ylabel="mean BCE", title="your training step on XOR")
    lab.savefig(fig, "perceptron_and_xor.png")
    if per and acc is not None:
        lab.conclude(f"Your perceptron separated {len(per['y'])} points after {per['n_updates']}"
                     f" updates (Novikoff's bound {per['bound']:.0f}) but got only "
                     f"{per['xor_acc']:.2f} on XOR; your MLP training step solved XOR "
                     f"(accuracy {acc:.2f}) in {cfg.steps} steps.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("perceptron-mlp", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
