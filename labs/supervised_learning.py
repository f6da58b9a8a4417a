"""Supervised learning: regression and classification from labelled examples.

In supervised learning every training example comes with a label, and the model learns a
map from inputs to labels that must hold on examples it has never seen. Regression
predicts a number: linear least squares has a closed form, w = (X^T X + l2 I)^-1 X^T y.
The bias is not penalised (shrinking it would pull every prediction towards 0, not towards
the mean); centring X and y first removes it from the problem. Classification predicts a
class: softmax (multinomial logistic) regression has no closed form and is trained by
gradient descent on the mean cross-entropy, whose gradient with respect to the logits is
(P - Y) / n (P the softmax probabilities, Y the one-hot labels), so dW = X^T (P - Y) / n.
Both are judged on a held-out split that played no part in fitting, not even in the
feature scaling.

You write closed-form (ridge) least squares and softmax regression by gradient descent.
They are checked on sklearn's diabetes and digits data against scikit-learn
(LinearRegression, Ridge, LogisticRegression solved to high precision), the optimal value
of the same objective, and R^2 / accuracy floors on the held-out split. Float32 is fine.

$ python labs/supervised_learning.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("least_squares", "train_softmax_regression")


@dataclass
class Config:
    test_frac: float = 0.25  # share of each dataset held out for testing
    ridge: float = 10.0  # l2 penalty for the ridge regression check
    l2: float = 1e-2  # l2 penalty (on weights, not bias) of the softmax regression
    steps: int = 1500  # full-batch gradient-descent steps for softmax regression
    r2_floor: float = 0.35  # held-out R^2 floor on diabetes (linear models reach ~0.45)
    acc_floor: float = 0.93  # held-out accuracy floor on digits (linear models reach ~0.96)


def least_squares(X: np.ndarray, y: np.ndarray, l2: float = 0.0) -> tuple[np.ndarray, float]:
    """Closed-form (ridge) least squares with an unpenalised bias.

    Minimises ``||X w + b - y||^2 + l2 ||w||^2`` (a sum over the n rows, as sklearn's Ridge
    does; the bias b is not penalised) for ``X`` (n, d), ``y`` (n,); returns ``(w (d,), b)``
    with b a float. Centring X and y removes the bias from the penalty.
    """
    x_mean, y_mean = X.mean(0), y.mean()
    Xc, yc = X - x_mean, y - y_mean  # (n, d), (n,)
    w = np.linalg.solve(Xc.T @ Xc + l2 * np.eye(X.shape[1]), Xc.T @ yc)  # normal equations
    return w, float(y_mean - x_mean @ w)


def train_softmax_regression(X: torch.Tensor, y: torch.Tensor, n_classes: int, lr: float,
                             steps: int, l2: float) -> tuple[torch.Tensor, torch.Tensor, list]:
    """Softmax regression by full-batch gradient descent, from ``W = 0``, ``b = 0``.

    Minimises ``J = mean_i CE(softmax(X_i W + b), y_i) + 0.5 * l2 * ||W||^2`` (the bias is not
    penalised) for ``X`` (n, d), integer labels ``y`` (n,): ``steps`` updates
    ``W <- W - lr * dJ/dW``, ``b <- b - lr * dJ/db``, where d mean CE / d logits =
    (softmax - onehot) / n. Returns ``W`` (d, C), ``b`` (C,) and ``losses``: J at the start
    of every step (``steps`` floats; the first, at W = 0, is log C).
    """
    n, d = X.shape
    W = torch.zeros(d, n_classes, dtype=X.dtype, device=X.device)
    b = torch.zeros(n_classes, dtype=X.dtype, device=X.device)
    Y = torch.nn.functional.one_hot(y, n_classes).to(X.dtype)  # (n, C)
    losses = []
    for _ in range(steps):
        logits = X @ W + b  # (n, C)
        logits = logits - logits.max(1, keepdim=True).values  # stable softmax
        logp = logits - torch.logsumexp(logits, 1, keepdim=True)  # (n, C) log-probabilities
        losses.append(float(-(Y * logp).sum() / n + 0.5 * l2 * (W * W).sum()))
        G = (torch.exp(logp) - Y) / n  # (n, C) d loss / d logits
        W -= lr * (X.T @ G + l2 * W)
        b -= lr * G.sum(0)
    return W, b, losses


def _split(n: int, test_frac: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    perm = rng.permutation(n)
    n_test = int(round(n * test_frac))
    return perm[n_test:], perm[:n_test]


def _objective(W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray, l2: float) -> float:
    """The softmax-regression objective, computed independently in numpy (float64)."""
    z = X @ W + b
    z = z - z.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean() + 0.5 * l2 * np.sum(W * W))


def body(lab: kit.Lab) -> None:
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

    cfg = Config(steps=lab.pick(1500, 4000))
    rng = np.random.default_rng(lab.seed)
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.6))

    lab.section("regression on diabetes: closed-form least squares")
    Xd, yd = load_diabetes(return_X_y=True)  # (442, 10), target: disease progression
    tr, te = _split(len(yd), cfg.test_frac, rng)
    r2 = float("nan")
    with lab.guard("least_squares runs"):
        for l2, ref in ((0.0, LinearRegression()), (cfg.ridge, Ridge(alpha=cfg.ridge))):
            w, b = least_squares(Xd[tr], yd[tr], l2)
            ref.fit(Xd[tr], yd[tr])
            name = "LinearRegression" if l2 == 0 else f"Ridge(alpha={l2:g})"
            lab.check_close(f"l2={l2:g}: weights and bias = sklearn {name}",
                            np.r_[w, b], np.r_[ref.coef_, ref.intercept_], rtol=1e-6,
                            atol=1e-6 * np.abs(ref.coef_).max(),
                            hint="centre X and y so that the bias escapes the penalty")
        w, b = least_squares(Xd[tr], yd[tr])
        pred = Xd[te] @ w + b
        r2 = 1 - np.sum((yd[te] - pred) ** 2) / np.sum((yd[te] - yd[tr].mean()) ** 2)
        lab.check_ge("held-out R^2 (vs predicting the training mean: 0)", r2, cfg.r2_floor)
        lab.metric("test_r2", r2)
        axes[0].scatter(yd[te], pred, s=8)
        lim = [yd.min(), yd.max()]
        axes[0].plot(lim, lim, "k--", lw=1)
        axes[0].set(xlabel="true", ylabel="predicted", title=f"diabetes, held-out R^2 = {r2:.2f}")

    lab.section("classification on digits: softmax regression by gradient descent")
    Xg, yg = load_digits(return_X_y=True)  # (1797, 64) pixel intensities 0..16, labels 0..9
    tr, te = _split(len(yg), cfg.test_frac, rng)
    mu, sd = Xg[tr].mean(0), Xg[tr].std(0)
    sd[sd == 0] = 1.0  # constant pixels stay 0 after centring
    Xtr, Xte = (Xg[tr] - mu) / sd, (Xg[te] - mu) / sd  # standardised with training stats only
    dev, f64 = lab.torch_device, torch.float64
    Xt = torch.tensor(Xtr, dtype=f64, device=dev)
    yt = torch.tensor(yg[tr], device=dev)
    Xa = np.c_[Xtr, np.ones(len(tr))]
    L = 0.5 * np.linalg.eigvalsh(Xa.T @ Xa / len(tr))[-1] + cfg.l2  # smoothness bound of J
    ref = LogisticRegression(C=1.0 / (len(tr) * cfg.l2), tol=1e-10, max_iter=5000)
    ref.fit(Xtr, yg[tr])  # same objective: sklearn minimises 0.5||W||^2 + C * sum CE
    j_ref = _objective(ref.coef_.T, ref.intercept_, Xtr, yg[tr], cfg.l2)
    acc = float("nan")
    with lab.guard("train_softmax_regression runs"):
        W, b, losses = train_softmax_regression(Xt, yt, 10, 1.0 / L, cfg.steps, cfg.l2)
        W = W.detach().cpu().numpy().astype(np.float64)
        b = b.detach().cpu().numpy().astype(np.float64)
        losses = [float(v) for v in losses]
        j_ours = _objective(W, b, Xtr, yg[tr], cfg.l2)
        lab.check_close(f"objective after {cfg.steps} steps = sklearn's optimum (rel 1e-3)",
                        j_ours, j_ref, rtol=1e-3,
                        hint="dJ/dW = X^T (P - Y) / n + l2 W; dJ/db = sum of (P - Y) / n")
        first_ok = len(losses) == cfg.steps and abs(losses[0] - np.log(10)) < 1e-6
        lab.check("losses: one per step, the first at W = 0 is log C",
                  first_ok, f"{cfg.steps} values, first {np.log(10):.6f}",
                  f"{len(losses)} values, first {losses[0] if losses else float('nan'):.6f}")
        lab.check_close("last recorded loss = J(W, b) at the end (penalty included)",
                        losses[-1] if losses else float("nan"), j_ours, rtol=1e-4)
        pred = np.argmax(Xte @ W + b, 1)
        acc = float(np.mean(pred == yg[te]))
        agree = float(np.mean(pred == ref.predict(Xte)))
        lab.check_ge("held-out predictions agree with sklearn", agree, 0.97)
        lab.check_ge("held-out accuracy (majority class: ~0.10)", acc, cfg.acc_floor)
        lab.metric("test_accuracy", acc)
        lab.metric("sklearn_test_accuracy", float(np.mean(ref.predict(Xte) == yg[te])))
        lab.metric("objective_gap", j_ours - j_ref)
        axes[1].semilogy(np.maximum(np.array(losses) - j_ref, 1e-12))
        axes[1].set(xlabel="step", ylabel="J - sklearn optimum",
                    title="softmax regression training")
        cm = np.zeros((10, 10), int)
        np.add.at(cm, (yg[te], pred), 1)  # rows: true label, columns: predicted
        axes[2].imshow(cm, cmap="Blues")
        for i, j in zip(*np.nonzero(cm), strict=True):
            axes[2].text(j, i, cm[i, j], ha="center", va="center", fontsize=7,
                         color="white" if cm[i, j] > cm.max() / 2 else "black")
        axes[2].set(xlabel="predicted", ylabel="true", title=f"digits test accuracy {acc:.3f}",
                    xticks=range(10), yticks=range(10))
    lab.savefig(fig, "supervised.png")
    if np.isfinite(r2) and np.isfinite(acc):
        lab.conclude(f"Your closed-form least squares matched sklearn (held-out R^2 {r2:.2f}) "
                     f"and your softmax regression reached sklearn's optimum in {cfg.steps} "
                     f"gradient steps, classifying {acc:.1%} of held-out digits correctly.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("supervised-learning", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
