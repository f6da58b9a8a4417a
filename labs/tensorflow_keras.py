"""Keras 3 (optional TensorFlow node): layers, models, compile/fit, save/load.

Keras is a high-level API for building models: layers (``Dense`` computes
``activation(x @ kernel + bias)`` with ``kernel`` shaped (in, out) -- the transpose of a
torch ``nn.Linear.weight``), models (``Sequential`` or the functional API), ``compile``
(optimizer, loss, metrics), ``fit``/``evaluate``/``predict`` and ``.keras`` files. Keras 3
is multi-backend: the same code runs on TensorFlow, JAX or PyTorch, chosen by the
environment variable ``KERAS_BACKEND`` *before* ``import keras``. This lab uses the torch
backend, so TensorFlow itself is not needed (and is not installed).

Device placement in TensorFlow: TF places each op automatically (a GPU if one is visible,
else the CPU); ``tf.config.list_physical_devices("GPU")`` lists devices and
``with tf.device("/GPU:0"):`` (or ``"/CPU:0"``) pins the ops and variables created inside
the block; soft placement falls back to the CPU for ops without a GPU kernel, and
``tf.debugging.set_log_device_placement(True)`` logs the choice. Keras 3 offers the same
idea backend-neutrally as ``with keras.device("cpu")`` / ``keras.device("gpu:0")``; this lab
uses it to follow ``--device``.

The learner writes ``dense_forward`` (NumPy; checked against ``torch.nn.functional.linear``)
and ``build_classifier`` (a compiled Keras model; checked by parameter count, softmax
outputs, a decreasing loss, held-out accuracy and a save/load round trip). A Keras ``Dense``
layer is checked against ``x @ W + b`` in NumPy. When Keras is absent the Keras part is
skipped with a note and the rest still runs.

$ python labs/tensorflow_keras.py --quick
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("dense_forward", "build_classifier")


@dataclass
class Config:
    n_features: int = 6  # input features of the synthetic data
    n_classes: int = 3  # Gaussian blobs, one per class
    hidden: int = 32  # hidden units of the classifier
    n_train: int = 600  # training points
    epochs: int = 15  # passes over the training data
    acc_slack: float = 0.05  # held-out accuracy may trail the Bayes classifier by this


def dense_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray,
                  activation: str = "linear") -> np.ndarray:
    """Keras ``Dense`` in NumPy: ``activation(x @ kernel + bias)``; x (B, in),
    kernel (in, out), bias (out,); activation ``"linear"`` or ``"relu"``."""
    z = x @ kernel + bias  # (B, out)
    return np.maximum(z, 0.0) if activation == "relu" else z


def build_classifier(keras, n_features: int, n_classes: int, hidden: int):
    """A compiled Keras model: input (n_features,) -> Dense(hidden, relu) ->
    Dense(n_classes, softmax), optimizer Adam(1e-2), loss sparse categorical cross-entropy,
    metric accuracy. ``keras`` is the imported module."""
    model = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def blobs(n: int, d: int, k: int, rng: np.random.Generator) -> tuple:
    """k overlapping unit-variance Gaussian blobs in d dimensions: X (n, d) float32,
    y (n,) int64 and the true centers (k, d)."""
    centers = rng.normal(scale=1.0, size=(k, d))
    y = rng.integers(0, k, size=n)
    X = (centers[y] + rng.normal(size=(n, d))).astype(np.float32)
    return X, y.astype(np.int64), centers


def import_keras(lab: kit.Lab):
    """Import Keras on the torch backend, or return None with a note."""
    previous = os.environ.get("KERAS_BACKEND")
    if previous not in (None, "torch"):
        lab.note(f"KERAS_BACKEND was {previous!r}; set to 'torch' for this lab")
    os.environ["KERAS_BACKEND"] = "torch"  # must happen before the first `import keras`
    try:
        return importlib.import_module("keras")
    except Exception as exc:  # noqa: BLE001 - absent or broken: skip the Keras part
        lab.note(f"Keras not available ({type(exc).__name__}: {str(exc)[:100]}); "
                 "Keras checks skipped")
        return None


def body(lab: kit.Lab) -> None:
    cfg = Config(epochs=lab.pick(6, 40), n_train=lab.pick(600, 3000))
    rng = np.random.default_rng(lab.seed)

    lab.section("Dense by hand (NumPy) vs torch.nn.functional.linear")
    x = rng.normal(size=(5, 4))
    kernel, bias = rng.normal(size=(4, 3)), rng.normal(size=3)
    ref = torch.nn.functional.linear(torch.tensor(x), torch.tensor(kernel).T,
                                     torch.tensor(bias))  # torch weight is (out, in)
    with lab.guard("dense_forward runs"):
        lab.check_close("dense_forward = F.linear(x, kernel.T, bias)",
                        dense_forward(x, kernel, bias), ref, rtol=1e-12)
        lab.check_close("dense_forward relu = relu(F.linear)",
                        dense_forward(x, kernel, bias, "relu"), torch.relu(ref), rtol=1e-12)

    keras = import_keras(lab)
    if keras is None:
        return
    lab.section(f"Keras {keras.__version__} on backend {keras.backend.backend()}")
    lab.check_equal("Keras runs on the torch backend", keras.backend.backend(), "torch")
    keras.utils.set_random_seed(lab.seed)
    with keras.device(lab.device):
        _keras_part(lab, cfg, keras, rng)


def _keras_part(lab: kit.Lab, cfg: Config, keras, rng: np.random.Generator) -> None:
    layer = keras.layers.Dense(3, activation="relu")
    xb = rng.normal(size=(8, 4)).astype(np.float32)
    out = keras.ops.convert_to_numpy(layer(xb))
    W, b = (keras.ops.convert_to_numpy(v) for v in layer.weights)
    lab.check_equal("Dense kernel is (in, out), bias (out,)", (W.shape, b.shape), ((4, 3), (3,)))
    lab.check_close("Keras Dense(x) = relu(x @ W + b) in NumPy", out,
                    np.maximum(xb.astype(np.float64) @ W + b, 0), rtol=1e-5, atol=1e-6)

    X, y, centers = blobs(cfg.n_train + 400, cfg.n_features, cfg.n_classes, rng)
    Xtr, ytr, Xte, yte = X[: cfg.n_train], y[: cfg.n_train], X[cfg.n_train:], y[cfg.n_train:]
    with lab.guard("build_classifier runs"):
        model = build_classifier(keras, cfg.n_features, cfg.n_classes, cfg.hidden)
        h, d, k = cfg.hidden, cfg.n_features, cfg.n_classes
        lab.check_equal("count_params = h(d+1) + k(h+1)", model.count_params(),
                        h * (d + 1) + k * (h + 1))
        probs = np.asarray(model.predict(Xte[:16], verbose=0), dtype=np.float64)
        lab.check_close("outputs are probabilities (rows sum to 1)", probs.sum(1),
                        np.ones(16), rtol=1e-5)
        with lab.timer() as t:
            hist = model.fit(Xtr, ytr, epochs=cfg.epochs, batch_size=64, verbose=0)
        losses = hist.history["loss"]
        lab.metric("fit_seconds", t.seconds, "s")
        lab.check_le("training loss decreases: last <= 0.6 * first", losses[-1],
                     0.6 * losses[0])
        probs = np.asarray(model.predict(Xte, verbose=0), dtype=np.float64)
        acc = float((probs.argmax(1) == yte).mean())
        # oracle: with equal priors and unit variance, the Bayes classifier is the nearest
        # true center; no model can beat it on average
        bayes = float((((Xte[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1) == yte).mean())
        lab.metric("bayes_accuracy", bayes)
        lab.check_ge("held-out accuracy >= Bayes accuracy - slack", acc, bayes - cfg.acc_slack)
        p_true = np.clip(probs[np.arange(len(yte)), yte], 1e-7, 1 - 1e-7)  # Keras clips at 1e-7
        nll = float(-np.log(p_true).mean())
        ev = model.evaluate(Xte, yte, verbose=0, return_dict=True)
        lab.check_close("evaluate() loss = NumPy cross-entropy of predict()", ev["loss"], nll,
                        rtol=1e-4)
        path = lab.save_file("classifier.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        same = all(np.array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(c))
                   for a, c in zip(model.weights, loaded.weights, strict=True))
        lab.check("weights round-trip through .keras save/load", same, "identical",
                  "identical" if same else "different")
        lab.check_close("loaded model predicts the same", loaded.predict(Xte, verbose=0), probs,
                        rtol=1e-6, atol=1e-7)
        _plot(lab, losses, hist.history.get("accuracy", []))


def _plot(lab: kit.Lab, losses: list, accs: list) -> None:
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(losses, label="loss")
    if accs:
        ax.plot(accs, label="accuracy")
    ax.set(xlabel="epoch", title="Keras fit() history (torch backend)")
    ax.legend()
    lab.savefig(fig, "keras_history.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("tensorflow-keras", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
