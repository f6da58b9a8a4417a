"""Perceptrons and multilayer networks: Rosenblatt's rule, and why XOR needs a hidden layer.

A perceptron predicts sign(w.x + b). Rosenblatt's rule nudges (w, b) by y_i * (x_i, 1)
every time it misclassifies x_i; on linearly separable data it stops after at most
(R / gamma)^2 updates (Novikoff's theorem: R bounds the inputs, gamma is the margin).
No line separates XOR, so any perceptron gets at most 3 of its 4 corners right; one
hidden layer with a nonlinearity (a multilayer perceptron, MLP) bends the boundary and
solves it.

This lab writes the perceptron rule and an MLP forward pass by hand, checks the
perceptron's weights against sklearn.linear_model.Perceptron (same rule, same sample
order), checks that it converges within Novikoff's bound, checks the MLP forward against
torch.nn layers, trains the MLP by gradient descent with autograd and checks 100% accuracy on XOR.

$ python labs/perceptron_mlp.py --quick
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("perceptron_train", "mlp_forward")


@dataclass
class Config:
    n_points: int = 400  # separable training points before the margin filter
    margin: float = 0.3  # planted margin: points closer than this to the true line are dropped
    max_epochs: int = 100  # perceptron passes over the data at most
    xor_per_corner: int = 100  # XOR training points around each of the 4 corners
    xor_noise: float = 0.15  # std of the Gaussian cloud around each corner
    hidden: int = 8  # MLP hidden units
    steps: int = 1500  # gradient-descent steps for the MLP (full batch)
    lr: float = 0.5  # gradient-descent learning rate


def perceptron_train(X: np.ndarray, y: np.ndarray, lr: float = 1.0,
                     max_epochs: int = 100) -> tuple[np.ndarray, float, int, int]:
    """Rosenblatt's perceptron rule, samples in the given order, starting from w = 0, b = 0.

    Labels ``y`` are -1 or +1. For each x_i with ``y_i * (w @ x_i + b) <= 0`` (a mistake, a
    point on the line counts as one): ``w += lr * y_i * x_i`` and ``b += lr * y_i``. Stop after
    the first epoch with no mistake, or after ``max_epochs`` epochs.
    Returns ``(w, b, n_updates, epochs_run)``.
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


def mlp_forward(X: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor,
                b2: torch.Tensor) -> torch.Tensor:
    """A two-layer perceptron: ``logits = tanh(X @ W1 + b1) @ W2 + b2``.

    Shapes: X (N, D), W1 (D, H), b1 (H,), W2 (H, 1), b2 (1,); returns logits (N, 1).
    Use torch operations so autograd can train it.
    """
    hidden = torch.tanh(X @ W1 + b1)  # (N, H)
    return hidden @ W2 + b2  # (N, 1)


def separable_data(rng: np.random.Generator, n: int, margin: float, w_true: np.ndarray,
                   b_true: float):
    """Points on both sides of the planted line w_true.x + b_true = 0, none within ``margin``."""
    norm = np.linalg.norm(w_true)
    X = rng.uniform(-3, 3, size=(n, 2))
    dist = (X @ w_true + b_true) / norm  # signed distance to the planted line
    keep = np.abs(dist) >= margin
    return X[keep], np.sign(dist[keep])


def xor_data(rng: np.random.Generator, per_corner: int, noise: float):
    """Gaussian clouds around (+-1, +-1); label 1 where the signs differ (XOR), else 0."""
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=np.float64)
    labels = np.array([0, 1, 1, 0], dtype=np.float64)
    X = np.concatenate([c + noise * rng.normal(size=(per_corner, 2)) for c in corners])
    return X, np.repeat(labels, per_corner), corners, labels


def body(lab: kit.Lab) -> None:
    cfg = Config(n_points=lab.pick(200, 2000), xor_per_corner=lab.pick(50, 500),
                 steps=lab.pick(600, 3000))
    rng = np.random.default_rng(lab.seed)
    from sklearn.linear_model import Perceptron  # oracle: same rule, same sample order

    lab.section("perceptron on linearly separable data")
    w_true = rng.normal(size=2)
    w_true, b_true = w_true / np.linalg.norm(w_true), 0.3  # planted separator, unit normal
    X, y = separable_data(rng, cfg.n_points, cfg.margin, w_true, b_true)
    X_test, y_test = separable_data(rng, cfg.n_points, 0.0, w_true, b_true)
    R = float(np.max(np.linalg.norm(np.c_[X, np.ones(len(X))], axis=1)))  # radius of (x, 1)
    v = np.r_[w_true, b_true]
    gamma = float(np.min(y * (np.c_[X, np.ones(len(X))] @ v)) / np.linalg.norm(v))
    bound = (R / gamma) ** 2  # Novikoff: updates <= (R / gamma)^2 for any separator's margin
    w = None
    with lab.guard("perceptron_train runs"):
        w, b, n_updates, epochs = perceptron_train(X, y, 1.0, cfg.max_epochs)
        train_acc = float(np.mean(np.sign(X @ w + b) == y))
        lab.check_equal("perceptron separates the training set (accuracy)", train_acc, 1.0)
        lab.check_le("updates within Novikoff's bound (R/gamma)^2", n_updates, bound)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn warns that tol=None never "converges"
            ref = Perceptron(shuffle=False, eta0=1.0, tol=None, max_iter=epochs, penalty=None,
                             alpha=0.0).fit(X, y)
        lab.check_close("weights = sklearn Perceptron (same order, eta0=1)",
                        np.r_[w, b], np.r_[ref.coef_[0], ref.intercept_[0]], rtol=1e-12)
        lab.check_ge("held-out accuracy (test points may lie inside the unseen margin band)",
                     float(np.mean(np.sign(X_test @ w + b) == y_test)), 0.9)
        lab.metric("perceptron_updates", n_updates)
        lab.metric("novikoff_bound", bound)
        lab.metric("perceptron_epochs", epochs)

    lab.section("XOR: a perceptron cannot, an MLP can")
    Xx, yx, corners, corner_labels = xor_data(rng, cfg.xor_per_corner, cfg.xor_noise)
    with lab.guard("perceptron on XOR runs"):
        wx, bx, _, _ = perceptron_train(Xx, 2 * yx - 1, 1.0, cfg.max_epochs)
        lab.metric("perceptron_xor_accuracy", np.mean((Xx @ wx + bx > 0) == (yx > 0)))
        lab.note("a linear classifier gets at most 3 of XOR's 4 corners: accuracy <= 0.75")

    dev, f64 = lab.torch_device, torch.float64
    torch.manual_seed(lab.seed)
    ref_net = torch.nn.Sequential(torch.nn.Linear(2, cfg.hidden), torch.nn.Tanh(),
                                  torch.nn.Linear(cfg.hidden, 1)).to(dev, f64)
    params = [ref_net[0].weight.detach().T.clone(), ref_net[0].bias.detach().clone(),
              ref_net[2].weight.detach().T.clone(), ref_net[2].bias.detach().clone()]
    Xt = torch.tensor(Xx, dtype=f64, device=dev)
    with lab.guard("mlp_forward runs"):
        with torch.no_grad():
            lab.check_close("mlp_forward = nn.Linear -> Tanh -> nn.Linear (float64)",
                            mlp_forward(Xt, *params), ref_net(Xt), rtol=1e-12, atol=1e-14)
        for p in params:
            p.requires_grad_(True)
        yt = torch.tensor(yx, dtype=f64, device=dev)[:, None]
        losses = []
        for _ in range(cfg.steps):
            logits = mlp_forward(Xt, *params)  # (N, 1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, yt)
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads, strict=True):
                    p -= cfg.lr * g  # plain full-batch gradient descent
            losses.append(loss.item())
        with torch.no_grad():
            acc = float(((mlp_forward(Xt, *params) > 0) == (yt > 0)).double().mean())
            ct = torch.tensor(corners, dtype=f64, device=dev)
            corner_pred = (mlp_forward(ct, *params)[:, 0] > 0).double().cpu().numpy()
        lab.check_equal("MLP XOR training accuracy", acc, 1.0)
        lab.check_equal("MLP classifies the 4 XOR corners", corner_pred.tolist(),
                        corner_labels.tolist())
        lab.metric("mlp_final_loss", losses[-1])

        fig, axes = plt.subplots(1, 2, figsize=(9, 4))
        if w is not None:
            xs = np.linspace(-3, 3, 2)
            axes[0].scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=8)
            axes[0].plot(xs, -(w[0] * xs + b) / w[1], "k-", label="perceptron")
            axes[0].plot(xs, -(w_true[0] * xs + b_true) / w_true[1], "g--", label="planted")
            axes[0].set(xlim=(-3, 3), ylim=(-3, 3), title="perceptron on separable data")
            axes[0].legend(loc="lower left")
        g = np.linspace(-2, 2, 200)
        gx, gy = np.meshgrid(g, g)
        grid = torch.tensor(np.c_[gx.ravel(), gy.ravel()], dtype=f64, device=dev)
        with torch.no_grad():
            z = torch.sigmoid(mlp_forward(grid, *params)).cpu().numpy().reshape(gx.shape)
        axes[1].contourf(gx, gy, z, levels=20, cmap="coolwarm", alpha=0.6)
        axes[1].contour(gx, gy, z, levels=[0.5], colors="k")
        axes[1].scatter(Xx[:, 0], Xx[:, 1], c=yx, cmap="coolwarm", s=6, edgecolors="k",
                        linewidths=0.2)
        axes[1].set(title=f"MLP ({cfg.hidden} tanh units) on XOR: p(class 1)")
        lab.savefig(fig, "perceptron_and_xor.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("perceptron-mlp", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
