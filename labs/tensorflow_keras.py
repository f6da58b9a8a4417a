"""Keras 3 (optional TensorFlow node): define, compile, fit with a callback, save and load.

Keras is a high-level API for building models: layers (``Dense`` computes
``activation(x @ kernel + bias)`` with ``kernel`` shaped (in, out), the transpose of a torch
``nn.Linear.weight``), models (``Sequential`` or the functional API ``keras.Model(inputs,
outputs)``), ``compile`` (optimizer, loss, metrics), ``fit``/``evaluate``/``predict`` and
``.keras`` files that hold the architecture, the weights, the compile settings and the
optimizer's state. Callbacks observe training: ``keras.callbacks.EarlyStopping`` watches a
validation metric, stops when it has not improved for ``patience`` epochs and can restore the
best epoch's weights. A softmax output layer pairs with a cross-entropy on probabilities; a
loss told ``from_logits=True`` would apply a second softmax.

Keras 3 is multi-backend: the same code runs on TensorFlow, JAX or PyTorch, chosen by the
environment variable ``KERAS_BACKEND`` *before* ``import keras``; this lab uses the torch
backend, so TensorFlow itself is not needed. TensorFlow places each op automatically (a GPU
if one is visible), ``with tf.device("/GPU:0"):`` pins ops and variables, and soft placement
falls back to the CPU; Keras 3 offers the same idea backend-neutrally as
``with keras.device("cpu")``, which this lab uses to follow ``--device``. Without Keras the
lab is *skipped* (install it with ``pip install keras``), never passed.

The data: three rings in the plane (class = radius band) plus four noise features, with
20% of the training and validation labels flipped, so that a network overfits after a few
epochs and early stopping matters; a linear model cannot separate rings. You write
``build_model``, ``compile_and_fit`` and ``save_and_reload``; they are checked with Keras'
own ``count_params``, ``evaluate`` and ``predict``, the training history, and a round trip
through a ``.keras`` file.

$ python labs/tensorflow_keras.py --quick
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("build_model", "compile_and_fit", "save_and_reload")


@dataclass
class Config:
    n_features: int = 6  # 2 informative (the plane) + 4 noise features
    n_classes: int = 3  # rings
    hidden: int = 64  # hidden units
    n_train: int = 300  # training points (validation: as many; test: n_test, clean labels)
    n_test: int = 1000
    label_noise: float = 0.2  # fraction of training/validation labels drawn at random
    epochs: int = 40  # at most this many epochs
    patience: int = 5  # early stopping: epochs without a better val_loss
    min_test_acc: float = 0.6  # a linear model gets about 0.3


def build_model(keras, n_features: int, n_classes: int, hidden: int):
    """An uncompiled Keras model: input (n_features,) -> Dense(hidden, relu) ->
    Dense(n_classes, softmax), so that it outputs class probabilities. ``keras`` is the
    imported module."""
    return keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])


def compile_and_fit(keras, model, data: dict, epochs: int, patience: int):
    """Compile ``model`` with ``keras.optimizers.Adam(1e-2)``, the sparse categorical
    cross-entropy of the probabilities it outputs, and the metric "accuracy"; then fit it
    on ``data["x_train"], data["y_train"]`` with ``batch_size=32`` and
    ``validation_data=(data["x_val"], data["y_val"])`` for at most ``epochs`` epochs,
    stopping once val_loss has gone ``patience`` epochs without a new best (strictly lower)
    value, and ending with the best epoch's weights restored. Returns what ``fit`` returns
    (the History object; pass ``verbose=0`` to keep the log short)."""
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                         restore_best_weights=True)
    return model.fit(data["x_train"], data["y_train"], batch_size=32, epochs=epochs,
                     validation_data=(data["x_val"], data["y_val"]), callbacks=[stop],
                     verbose=0)


def save_and_reload(keras, model, path):
    """Save ``model`` to ``path`` (a ``.keras`` file: architecture, weights, compile
    settings and optimizer state) and return the model loaded back from that file."""
    model.save(path)
    return keras.models.load_model(path)


def rings(n: int, rng: np.random.Generator, noise: float) -> tuple:
    """X (n, 6) float32: a point at radius r in [0, 3) plus 4 noise features; y = the ring
    (r < 1, < 2, else), replaced by a random class for a fraction ``noise`` of points."""
    r, a = rng.uniform(0, 3, n), rng.uniform(0, 2 * np.pi, n)
    X = np.c_[r * np.cos(a), r * np.sin(a), rng.normal(size=(n, 4))].astype(np.float32)
    y = np.minimum(r.astype(int), 2)
    return X, np.where(rng.random(n) < noise, rng.integers(0, 3, n), y).astype(np.int64)


def stop_epochs(val_loss: list, patience: int, epochs: int) -> int:
    """Oracle: how many epochs early stopping on this val_loss history lets run."""
    best, wait = np.inf, 0
    for e, v in enumerate(val_loss):
        best, wait = (v, 0) if v < best else (best, wait + 1)
        if wait >= patience:
            return e + 1
    return epochs


def import_keras(lab: kit.Lab):
    """Import Keras on the torch backend; skip the lab (status "skipped") without it."""
    previous = os.environ.get("KERAS_BACKEND")
    if previous not in (None, "torch"):
        lab.note(f"KERAS_BACKEND was {previous!r}; set to 'torch' for this lab")
    os.environ["KERAS_BACKEND"] = "torch"  # must happen before the first `import keras`
    try:
        return importlib.import_module("keras")
    except Exception as exc:  # noqa: BLE001 - absent or broken: the lab cannot run
        lab.skip(f"Keras 3 is not available ({type(exc).__name__}: {str(exc)[:120]})",
                 "pip install keras")


def body(lab: kit.Lab) -> None:
    keras = import_keras(lab)
    cfg = Config(n_train=lab.pick(200, 1000), n_test=lab.pick(400, 4000))
    rng = np.random.default_rng(lab.seed)
    keras.utils.set_random_seed(lab.seed)
    lab.section(f"Keras {keras.__version__} on backend {keras.backend.backend()}")
    with lab.shown():
        layer = keras.layers.Dense(3, activation="relu")
        xb = rng.normal(size=(8, 4)).astype(np.float32)
        out = keras.ops.convert_to_numpy(layer(xb))
        W, b = (keras.ops.convert_to_numpy(v) for v in layer.weights)
        lab.check_close("a Dense layer is relu(x @ kernel + bias), kernel (in, out)", out,
                        np.maximum(xb.astype(np.float64) @ W + b, 0), rtol=1e-5, atol=1e-6)
    (xtr, ytr), (xva, yva), (xte, yte) = (
        rings(n, rng, noise) for n, noise in ((cfg.n_train, cfg.label_noise),
                                              (cfg.n_train, cfg.label_noise), (cfg.n_test, 0.0)))
    data = {"x_train": xtr, "y_train": ytr, "x_val": xva, "y_val": yva}
    h, d, k = cfg.hidden, cfg.n_features, cfg.n_classes
    with keras.device(lab.device):
        with lab.guard("build_model runs"):
            model = build_model(keras, d, k, h)
            lab.check_equal("count_params = h(d+1) + k(h+1)", model.count_params(),
                            h * (d + 1) + k * (h + 1))
            probs = np.asarray(model.predict(xte[:16], verbose=0), dtype=np.float64)
            lab.check_close("outputs are probabilities (rows sum to 1)", probs.sum(1),
                            np.ones(16), rtol=1e-5, hint="the last layer needs a softmax")
        with lab.guard("compile_and_fit runs"):
            hist = compile_and_fit(keras, model, data, cfg.epochs, cfg.patience).history
            vl, ran = hist.get("val_loss", []), len(hist.get("loss", []))
            lab.metric("epochs_run", ran)
            lab.check_equal("history has loss, accuracy, val_loss, val_accuracy",
                            sorted(hist), ["accuracy", "loss", "val_accuracy", "val_loss"])
            opt = model.optimizer
            lab.check_equal("Adam, learning rate 0.01, 32 examples per step",
                            (type(opt).__name__, round(float(opt.learning_rate), 8),
                             int(opt.iterations) / max(ran, 1)),
                            ("Adam", 0.01, float(-(-cfg.n_train // 32))))
            lab.check_equal(f"stopped when val_loss went {cfg.patience} epochs without a new "
                            "best", ran, stop_epochs(vl, cfg.patience, cfg.epochs),
                            hint="EarlyStopping(monitor='val_loss', patience=patience)")
            ev_val = model.evaluate(xva, yva, verbose=0, return_dict=True)
            lab.check_close("best weights restored: evaluate(validation) = min(val_loss)",
                            ev_val["loss"], min(vl) if vl else np.nan, rtol=1e-5,
                            hint="restore_best_weights=True")
            probs = np.asarray(model.predict(xte, verbose=0), dtype=np.float64)
            ev = model.evaluate(xte, yte, verbose=0, return_dict=True)
            nll = float(-np.log(np.clip(probs[np.arange(len(yte)), yte], 1e-7, 1 - 1e-7)).mean())
            lab.check_close("evaluate() loss = NumPy cross-entropy of predict()", ev["loss"],
                            nll, rtol=1e-4, hint="softmax outputs: from_logits must be False")
            lab.check_ge("held-out accuracy (Keras evaluate, clean labels)", ev["accuracy"],
                         cfg.min_test_acc)
            lab.metric("test_accuracy", ev["accuracy"])
            _plot(lab, hist, cfg.patience)
        with lab.guard("save_and_reload runs"):
            loaded = save_and_reload(keras, model, str(lab.save_file("rings.keras")))
            lab.check("a new model, loaded from the file", loaded is not model, "a new object",
                      "the same object" if loaded is model else type(loaded).__name__)
            same = [np.array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(c))
                    for a, c in zip(model.weights, loaded.weights, strict=False)]
            lab.check_equal("weights identical after the round trip",
                            (len(same), all(same)), (len(model.weights), True))
            lab.check_close("loaded model predicts the same", loaded.predict(xte, verbose=0),
                            probs, rtol=1e-6, atol=1e-7)
            opt = getattr(loaded, "optimizer", None)
            lab.check_equal("optimizer state survives (iterations)",
                            int(opt.iterations) if opt is not None else None,
                            int(model.optimizer.iterations), hint="save the whole model")
            try:
                ev2 = loaded.evaluate(xte, yte, verbose=0, return_dict=True)
                got = [ev2["loss"], ev2["accuracy"]]
            except Exception as exc:  # noqa: BLE001 - e.g. a model loaded uncompiled
                got = f"evaluate() raised {type(exc).__name__}"
            lab.check_close("the loaded model is compiled: same evaluate()", got,
                            [ev["loss"], ev["accuracy"]], rtol=1e-6)
            lab.conclude(f"Your Keras model stopped after {ran} of {cfg.epochs} epochs, restored"
                         f" the epoch with val_loss {min(vl):.3f}, reached {ev['accuracy']:.0%}"
                         " held-out accuracy on rings no linear model separates, and came back "
                         "from its .keras file with identical weights and optimizer state.")


def _plot(lab: kit.Lab, hist: dict, patience: int) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for key in ("loss", "val_loss"):
        ax.plot(hist.get(key, []), label=key)
    if hist.get("val_loss"):
        best = int(np.argmin(hist["val_loss"]))
        ax.axvline(best, ls="--", color="grey", label=f"best epoch (+{patience} patience)")
    ax.set(xlabel="epoch", ylabel="cross-entropy", title="fit() history: early stopping")
    ax.legend()
    lab.savefig(fig, "keras_history.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("tensorflow-keras", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
