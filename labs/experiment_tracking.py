"""Experiment tracking: log runs with TensorBoard (and MLflow), read them back, compare them.

A tracker records, for every run, its hyperparameters and its metrics over steps, so runs
can be compared later instead of scrolled past in a terminal. Three common tools:

- TensorBoard: ``SummaryWriter(log_dir).add_scalar(tag, value, step)`` appends protobuf
  events to ``events.out.tfevents.*`` files; the UI (``tensorboard --logdir runs``) and
  ``EventAccumulator`` read them. Values are stored as float32. Careful: the reader keeps at
  most 10,000 points per scalar tag by default (reservoir sampling) unless asked for all.
- MLflow: ``mlflow.start_run()``, ``log_params``, ``log_metric(key, value, step)`` to a
  tracking store (a local folder, a database, or a server); ``MlflowClient().search_runs``
  queries and orders runs. MLflow 3 keeps the plain-folder store in maintenance mode: this
  lab opts in with ``MLFLOW_ALLOW_FILE_STORE=true``; a team would use ``sqlite:///`` or a server.
- Weights & Biases: ``wandb.init(project, config)``, ``wandb.log({...}, step=...)`` to a hosted
  (or self-hosted) server; ``WANDB_MODE=offline`` writes runs locally for a later
  ``wandb sync``. It needs an account, so this lab only describes it.

This lab trains the same small MLP on sklearn's digits at three learning rates, logs each
run as TensorBoard event files (and to a local MLflow store when mlflow is installed),
reads everything back and checks it equals what was logged (exactly, after float32
rounding), that all 12,000 points of a long series come back, that TensorBoard's smoothing
equals pandas' debiased EWMA, and that both trackers pick the same best run.

$ python labs/experiment_tracking.py --quick
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
import torch
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("log_history", "read_scalars", "tb_smooth")


@dataclass
class Config:
    lrs: tuple = (0.5, 0.05, 0.005)  # one run per SGD learning rate
    epochs: int = 8  # epochs per run
    batch: int = 64  # minibatch size
    long_steps: int = 12_000  # points in the long series (> TensorBoard's 10,000 default)
    smoothing: float = 0.6  # TensorBoard's smoothing slider (EMA weight)


def log_history(log_dir: Path, history: dict[str, list[float]]) -> None:
    """Write every series in ``history`` (tag -> values) to TensorBoard event files in
    ``log_dir``, value i at step i (0-based), and flush them to disk."""
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(log_dir=str(log_dir)) as writer:
        for tag, values in history.items():
            for step, value in enumerate(values):
                writer.add_scalar(tag, value, global_step=step)


def read_scalars(log_dir: Path) -> dict[str, tuple[list[int], list[float]]]:
    """Read back every scalar tag in ``log_dir`` with TensorBoard's EventAccumulator:
    tag -> (steps, values), keeping all points (no downsampling)."""
    from tensorboard.backend.event_processing import event_accumulator as ea

    acc = ea.EventAccumulator(str(log_dir), size_guidance={ea.SCALARS: 0})  # 0 = keep all
    acc.Reload()
    return {tag: ([e.step for e in acc.Scalars(tag)], [e.value for e in acc.Scalars(tag)])
            for tag in acc.Tags()["scalars"]}


def tb_smooth(values: list[float], weight: float) -> np.ndarray:
    """TensorBoard's smoothing: an exponential moving average, debiased so that the first
    points are not pulled towards 0 (last = w*last + (1-w)*y; divide by 1 - w^(i+1))."""
    last, debias, out = 0.0, 0.0, []
    for y in values:
        last = weight * last + (1 - weight) * y
        debias = weight * debias + (1 - weight)
        out.append(last / debias)
    return np.asarray(out)


def train_run(lr: float, data, cfg: Config, seed: int, dev) -> dict[str, list[float]]:
    """Train an MLP with SGD at ``lr``; returns its history, tag -> values per step/epoch."""
    xtr, ytr, xva, yva = (t.to(dev) for t in data)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    hist: dict[str, list[float]] = {"train/batch_loss": [], "val/loss": [], "val/accuracy": []}
    for _ in range(cfg.epochs):
        for idx in torch.randperm(len(xtr), generator=g).split(cfg.batch):
            loss = nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist["train/batch_loss"].append(loss.item())
        with torch.no_grad():
            logits = model(xva)
            hist["val/loss"].append(nn.functional.cross_entropy(logits, yva).item())
            hist["val/accuracy"].append((logits.argmax(1) == yva).float().mean().item())
    return hist


def body(lab: kit.Lab) -> None:
    from sklearn.datasets import load_digits

    cfg = Config(epochs=lab.pick(8, 40))
    rng = np.random.default_rng(lab.seed)
    X, Y = load_digits(return_X_y=True)
    idx = rng.permutation(len(X))
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    Y = torch.tensor(Y)
    data = (X[idx[:1400]], Y[idx[:1400]], X[idx[1400:]], Y[idx[1400:]])
    root = Path(tempfile.mkdtemp(prefix="experiment_tracking_"))

    lab.section("train three runs")
    runs = {f"lr={lr:g}": train_run(lr, data, cfg, lab.seed, lab.torch_device) for lr in cfg.lrs}
    for name, h in runs.items():
        lab.log(f"  {name}: final val/accuracy {h['val/accuracy'][-1]:.4f}, "
                f"{len(h['train/batch_loss'])} steps")
    # a long series (a noisy decaying curve), longer than TensorBoard's default reservoir
    t = np.arange(cfg.long_steps)
    long = {"sim/noisy_loss": (np.exp(-t / 3000) + 0.05 * rng.normal(size=t.size)).tolist()}

    lab.section("TensorBoard: log event files, read them back")
    back: dict[str, dict] = {}
    for name, hist in {**runs, "long": long}.items():
        with lab.guard(f"log_history/read_scalars ({name})"):
            log_history(root / "tb" / name, hist)
            back[name] = read_scalars(root / "tb" / name)
            lab.check_equal(f"{name}: tags read back", sorted(back[name]), sorted(hist))
            for tag, values in hist.items():
                steps, got = back[name].get(tag, ([], []))
                span = f"{steps[0]}..{steps[-1]} ({len(steps)} points)" if steps else "none"
                lab.check(f"{name}: {tag} steps", steps == list(range(len(values))),
                          f"0..{len(values) - 1} ({len(values)} points)", span)
                # oracle: the logged values rounded to float32 (TensorBoard's simple_value)
                lab.check_close(f"{name}: {tag} values (float32)", np.asarray(got),
                                np.float32(values), rtol=0, atol=0)
    files = sorted(p.name for p in (root / "tb").rglob("events.out.tfevents.*"))
    lab.metric("event_files", len(files))

    lab.section("compare runs: best by final val/accuracy")
    best_mem = max(runs, key=lambda n: runs[n]["val/accuracy"][-1])  # from memory
    if all(n in back for n in runs):
        best_tb = max(runs, key=lambda n: back[n].get("val/accuracy", ([], [-1]))[1][-1])
        lab.check_equal("best run from TensorBoard files = best run in memory", best_tb, best_mem)

    lab.section("TensorBoard smoothing = pandas debiased EWMA")
    import pandas as pd

    loss = runs[f"lr={cfg.lrs[1]:g}"]["train/batch_loss"]
    expected = pd.Series(loss).ewm(alpha=1 - cfg.smoothing, adjust=True).mean().to_numpy()
    smooth = None
    with lab.guard("tb_smooth runs"):
        smooth = tb_smooth(loss, cfg.smoothing)
        lab.check_close("tb_smooth = pandas ewm(adjust=True)", smooth, expected, rtol=1e-12)

    lab.section("MLflow: local file store, same runs")
    try:
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # never a network call
        os.environ.setdefault("DO_NOT_TRACK", "true")
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3: folder store opt-in
        import mlflow
        from mlflow.tracking import MlflowClient
    except ImportError:
        lab.note("mlflow is not installed (pip install mlflow-skinny); MLflow part skipped")
    else:
        logging.getLogger("mlflow").setLevel(logging.WARNING)
        mlflow.set_tracking_uri((root / "mlruns").as_uri())  # file:///tmp/...; no server
        exp_id = mlflow.set_experiment("digits-mlp").experiment_id
        for name, hist in runs.items():
            with mlflow.start_run(run_name=name):
                mlflow.log_params({"lr": name.split("=")[1], "epochs": cfg.epochs,
                                   "batch": cfg.batch})
                for step, v in enumerate(hist["val/accuracy"]):
                    mlflow.log_metric("val_accuracy", v, step=step)
        client = MlflowClient()
        found = client.search_runs([exp_id], order_by=["metrics.val_accuracy DESC"])
        lab.check_equal("MLflow best run = best run in memory", found[0].info.run_name, best_mem)
        for r in found:
            hist = [m.value for m in sorted(client.get_metric_history(r.info.run_id,
                                                                      "val_accuracy"),
                                            key=lambda m: m.step)]
            lab.check_close(f"MLflow {r.info.run_name}: val_accuracy history", np.asarray(hist),
                            np.asarray(runs[r.info.run_name]["val/accuracy"]), rtol=0, atol=0)
    lab.note("Weights & Biases is described, not run: wandb.init/wandb.log need an account "
             "(or WANDB_MODE=offline and a later wandb sync)")

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for name in runs:
        if name in back and "val/accuracy" in back[name]:
            axes[0].plot(*back[name]["val/accuracy"], "o-", ms=3, label=name)
    axes[0].set(xlabel="epoch", ylabel="val accuracy", title="runs read back from event files")
    axes[0].legend()
    axes[1].plot(loss, color="0.8", lw=0.8, label="raw")
    if smooth is not None:
        axes[1].plot(smooth, label=f"smoothed ({cfg.smoothing})")
    axes[1].set(xlabel="step", ylabel="batch loss",
                title=f"lr={cfg.lrs[1]:g}: TensorBoard smoothing")
    axes[1].legend()
    lab.savefig(fig, "runs_compared.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("experiment-tracking", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
