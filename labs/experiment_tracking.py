"""Experiment tracking: log runs to MLflow and TensorBoard, then rank them with a query.

A tracker records, for every training run, its hyperparameters (params), its metrics over
steps and its files (artifacts: weights, plots), so runs can be compared, reproduced and
shared instead of scrolled past in a terminal. You write the logging code of a training
script, for the two trackers people run locally, and the query that picks the best run:

- TensorBoard: ``SummaryWriter(log_dir)`` then ``add_scalar(tag, value, global_step)``
  appends protobuf events to ``events.out.tfevents.*`` files; values are stored as
  float32. ``close()`` (or a ``with`` block) flushes them. Tags with a ``/`` are grouped in
  the UI ("train/loss", "val/loss"). ``add_scalars`` is a trap: it writes each series to a
  sub-run folder of its own, not to the tags of this run. The UI keeps a sample of at most
  1,000 points per scalar tag (``--samples_per_plugin scalars=N``).
- MLflow: ``mlflow.start_run(experiment_id=..., run_name=...)``, ``log_params``,
  ``log_metric(key, value, step=...)``, ``log_artifact(path)`` to a tracking store (a
  local folder here; a database or a server in a team). A run that leaves its ``with``
  block is FINISHED (FAILED if it raised). ``MlflowClient().search_runs`` filters with a
  SQL-like string (``params.x = 'a' and metrics.y > 0.5 and attributes.status = 'FINISHED'``;
  params are strings; a key with ``/`` is quoted in backticks: ``metrics.`val/loss```) and
  sorts with ``order_by`` (``"metrics.y DESC"``; ascending by default). ``metrics.y`` is the
  run's *latest* value of y (the one at the highest step), not its best: to rank by the best
  value, log that as a metric of its own.
- Weights & Biases does the same on a hosted server (``wandb.init(config=...)``,
  ``wandb.log({...}, step=...)``; ``WANDB_MODE=offline`` then ``wandb sync``). It needs an
  account, so this lab only describes it.

One x-axis for every curve: the global step, the number of optimizer steps taken so far.
Batch metrics (``train/*``) are logged at steps 0, 1, 2, ...; the validation metrics of
epoch e (``val/*``, 0-based e) at ``(e + 1) * steps_per_epoch``, where that epoch ended. The
lab trains a small MLP on sklearn's digits with SGD and Adam at several learning rates,
calls your logging code for each run and reads everything back with TensorBoard's and
MLflow's own readers.

$ python labs/experiment_tracking.py --quick
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit
import numpy as np

EXERCISES = ("log_tensorboard", "log_mlflow", "rank_query")


@dataclass(frozen=True)  # hashable: kit.cached keys on it
class Config:
    runs: tuple = (("sgd", 0.5), ("sgd", 0.05), ("adam", 0.01), ("adam", 0.001))  # (opt, lr)
    epochs: int = 4  # epochs per run
    batch: int = 280  # minibatch size: 5 optimizer steps per epoch on 1,400 digits
    demo_points: int = 1_200  # a long series, to show TensorBoard's 1,000-point sample


def log_tensorboard(log_dir: Path, history: dict[str, list[float]],
                    steps_per_epoch: int) -> None:
    """Log one run's ``history`` (tag -> values) as TensorBoard scalars in ``log_dir``.

    Every key of ``history`` is a scalar tag of this run (in ``log_dir`` itself, not in a
    sub-run). Tags that start with ``train/`` hold one value per batch: value i at global
    step i (0-based). Tags that start with ``val/`` hold one value per epoch: value e at
    global step ``(e + 1) * steps_per_epoch``. Values are logged as given (TensorBoard
    stores them as float32). Flush and close the writer before returning.
    """
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(log_dir=str(log_dir)) as writer:
        for tag, values in history.items():
            for i, value in enumerate(values):
                step = i if tag.startswith("train/") else (i + 1) * steps_per_epoch
                writer.add_scalar(tag, value, global_step=step)


def log_mlflow(experiment_id: str, run_name: str, params: dict, history: dict[str, list[float]],
               steps_per_epoch: int, model_path: Path) -> str:
    """Log one run to MLflow (the tracking URI is already set) and return its run id.

    The run is named ``run_name`` in experiment ``experiment_id`` and ends FINISHED. Log
    every entry of ``params`` as a param; every series of ``history`` as a metric of the
    same name, each value exactly as given (MLflow keeps float64) at the same global step as
    in ``log_tensorboard`` (``train/``: step i; ``val/``: step ``(e + 1) * steps_per_epoch``);
    one more metric, ``best_val_accuracy``, the highest value of ``val/accuracy``; and the
    file ``model_path`` as an artifact at the root of the run's artifacts (same file name).
    """
    import mlflow

    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
        mlflow.log_params(params)
        for key, values in history.items():
            for i, value in enumerate(values):
                step = i if key.startswith("train/") else (i + 1) * steps_per_epoch
                mlflow.log_metric(key, value, step=step)
        mlflow.log_metric("best_val_accuracy", max(history["val/accuracy"]))
        mlflow.log_artifact(str(model_path))
    return run.info.run_id


def rank_query(optimizer: str) -> tuple[str, list[str]]:
    """The MLflow search that ranks runs: ``(filter_string, order_by)`` for
    ``MlflowClient.search_runs``.

    Keep the runs whose param ``optimizer`` equals ``optimizer`` and whose status is
    FINISHED (a crashed run is FAILED). Rank them by ``best_val_accuracy``, highest first;
    break ties by the run's final ``val/loss`` (its latest value), lowest first.
    """
    return (f"params.optimizer = '{optimizer}' and attributes.status = 'FINISHED'",
            ["metrics.best_val_accuracy DESC", "metrics.`val/loss` ASC"])


@kit.cached
def train_runs(cfg: Config, seed: int) -> dict:
    """Train one MLP per (optimizer, lr) on the digits; returns name -> (params, history,
    weights file bytes). No exercise touches this, so the test suite trains once per seed."""
    import io

    import torch
    from sklearn.datasets import load_digits
    from torch import nn

    X, Y = load_digits(return_X_y=True)
    idx = np.random.default_rng(seed).permutation(len(X))
    X, Y = torch.tensor(X / 16.0, dtype=torch.float32), torch.tensor(Y)
    xtr, ytr, xva, yva = X[idx[:1400]], Y[idx[:1400]], X[idx[1400:]], Y[idx[1400:]]
    runs = {}
    for opt_name, lr in cfg.runs:
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        opt = (torch.optim.SGD if opt_name == "sgd" else torch.optim.Adam)(model.parameters(),
                                                                           lr=lr)
        g = torch.Generator().manual_seed(seed)
        hist: dict[str, list[float]] = {"train/loss": [], "val/loss": [], "val/accuracy": []}
        for _ in range(cfg.epochs):
            for b in torch.randperm(len(xtr), generator=g).split(cfg.batch):
                loss = nn.functional.cross_entropy(model(xtr[b]), ytr[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                hist["train/loss"].append(loss.item())
            with torch.no_grad():
                logits = model(xva)
                hist["val/loss"].append(nn.functional.cross_entropy(logits, yva).item())
                hist["val/accuracy"].append((logits.argmax(1) == yva).float().mean().item())
        buf = io.BytesIO()
        torch.save(model.state_dict(), buf)
        runs[f"{opt_name} lr={lr:g}"] = ({"optimizer": opt_name, "lr": lr, "epochs": cfg.epochs,
                                          "batch": cfg.batch}, hist, buf.getvalue())
    return runs


# Runs made to catch query bugs: (name, optimizer, val/accuracy per epoch, last val/loss,
# status). "b" and "c" tie on their best accuracy; "b" peaked early, so its latest accuracy
# is the lowest; "a" scored best but crashed; "e" is another optimizer.
DESIGNED = (("a", "sgd", [0.60, 0.95, 0.95], 0.30, "FAILED"),
            ("c", "sgd", [0.70, 0.85, 0.93], 0.35, "FINISHED"),
            ("b", "sgd", [0.80, 0.93, 0.80], 0.50, "FINISHED"),
            ("d", "sgd", [0.88, 0.89, 0.90], 0.25, "FINISHED"),
            ("e", "adam", [0.90, 0.97, 0.96], 0.20, "FINISHED"))


def log_designed_runs(client, experiment_id: str) -> None:
    """Log DESIGNED with MlflowClient (the lab's own code); later runs start later."""
    from mlflow.entities import Metric, Param

    for k, (name, opt, accs, loss, status) in enumerate(DESIGNED):
        t = 1_700_000_000_000 + 1000 * k  # ms; MLflow's own tie order is newest first
        run = client.create_run(experiment_id, start_time=t, run_name=name)
        metrics = [Metric("val/accuracy", a, t, e + 1) for e, a in enumerate(accs)]
        metrics += [Metric("val/loss", loss, t, len(accs)), Metric("best_val_accuracy",
                                                                   max(accs), t, 0)]
        client.log_batch(run.info.run_id, metrics=metrics, params=[Param("optimizer", opt)])
        client.set_terminated(run.info.run_id, status, end_time=t + 500)


def expected_ranking(rows: list[tuple[str, str, float, float, str]], optimizer: str) -> list:
    """The oracle in plain Python: rows of (name, optimizer, best acc, last loss, status)."""
    keep = [r for r in rows if r[1] == optimizer and r[4] == "FINISHED"]
    return [r[0] for r in sorted(keep, key=lambda r: (-r[2], r[3]))]


def read_tensorboard(log_dir: Path, size: int = 0) -> dict[str, tuple[list, list]]:
    """TensorBoard's own reader (the one its UI uses): tag -> (steps, values); size 0 = all."""
    from tensorboard.backend.event_processing import plugin_event_accumulator as pea
    from tensorboard.util import tensor_util

    acc = pea.EventAccumulator(str(log_dir), size_guidance={pea.TENSORS: size})
    acc.Reload()
    out = {}
    for tag in acc.Tags()["tensors"]:
        events = acc.Tensors(tag)
        out[tag] = ([e.step for e in events],
                    [float(tensor_util.make_ndarray(e.tensor_proto)) for e in events])
    return out


@kit.cached
def points_the_ui_keeps(n: int) -> int:
    """The lab's own writer logs a series of n points; TensorBoard's UI reads 1,000 of them."""
    from torch.utils.tensorboard import SummaryWriter

    log_dir = tempfile.mkdtemp(prefix="tb-long-")
    with SummaryWriter(log_dir) as w:
        for i in range(n):
            w.add_scalar("train/loss", float(np.exp(-i / 300.0)), i)
    return len(read_tensorboard(Path(log_dir), 1000)["train/loss"][0])


def logged_steps(tag: str, n: int, steps_per_epoch: int) -> list[int]:
    """The oracle's global steps of a series of n values."""
    return [i if tag.startswith("train/") else (i + 1) * steps_per_epoch for i in range(n)]


def body(lab: kit.Lab) -> None:
    # no network call (telemetry), MLflow 3's opt-in to the folder store, no progress bars
    for key in ("MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK", "MLFLOW_ALLOW_FILE_STORE"):
        os.environ.setdefault(key, "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    if importlib.util.find_spec("pyspark") is None:  # MLflow looks for Spark on every call:
        sys.modules.setdefault("pyspark", None)  # a failed import, searched anew each time
    try:
        import mlflow
        from mlflow.tracking import MlflowClient
    except ImportError:
        lab.skip("mlflow is not installed", "pip install mlflow-skinny")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    cfg = Config(epochs=lab.pick(4, 20))
    spe = -(-1400 // cfg.batch)  # optimizer steps per epoch (a partial last batch counts)
    lab.out.mkdir(parents=True, exist_ok=True)  # a fresh store per run, kept for the UIs
    root = Path(tempfile.mkdtemp(prefix="tracking-", dir=lab.out)).resolve()
    mlflow.set_tracking_uri((root / "mlruns").as_uri())  # file:///...: a folder, no server
    client = MlflowClient()
    exp_id = client.create_experiment("digits-mlp")
    edge_id = client.create_experiment("edge-cases")

    lab.section(f"train {len(cfg.runs)} runs ({cfg.epochs} epochs, {spe} steps per epoch)")
    runs = trained = train_runs(cfg, lab.seed)
    for name, (_, h, _) in runs.items():
        lab.log(f"  {name}: val/accuracy by epoch {np.round(h['val/accuracy'], 3).tolist()}")
    # and one made-up run whose validation accuracy peaked before its last epoch
    made_up = {"train/loss": list(2.3 * np.exp(-np.arange(cfg.epochs * spe) / 9.0) + 0.013),
               "val/loss": [0.91 + 0.17 * abs(e - 1) for e in range(cfg.epochs)],
               "val/accuracy": [0.883 - 0.031 * abs(e - 1) for e in range(cfg.epochs)]}
    runs = {**runs, "peaked early (made up)": ({"optimizer": "made-up", "lr": 0.3},
                                               made_up, b"not a model")}

    lab.section("TensorBoard: your SummaryWriter code, read back by TensorBoard's reader")
    tb: dict[str, dict] = {}
    with lab.guard("log_tensorboard runs"):
        for name, (_, hist, _) in runs.items():
            log_tensorboard(root / "tb" / name, hist, spe)
            tb[name] = read_tensorboard(root / "tb" / name)
        lab.check_equal("TensorBoard: every run has exactly its history's tags",
                        {n: sorted(tb[n]) for n in runs}, {n: sorted(runs[n][1]) for n in runs},
                        hint="one add_scalar per value; add_scalars writes to sub-runs")
        got = {n: {t: tb[n].get(t, ([], []))[0] for t in h} for n, (_, h, _) in runs.items()}
        want = {n: {t: logged_steps(t, len(v), spe) for t, v in h.items()}
                for n, (_, h, _) in runs.items()}
        lab.check_equal("TensorBoard: global steps (train/ per batch, val/ at epoch ends)",
                        got, want, hint="val/ of epoch e goes at (e + 1) * steps_per_epoch")
        worst = max(float(np.max(np.abs(np.float32(v) - np.asarray(tb[n].get(t, ([], []))[1]))))
                    if len(tb[n].get(t, ([], []))[1]) == len(v) else np.inf
                    for n, (_, h, _) in runs.items() for t, v in h.items())
        lab.check_equal("TensorBoard: values = the history rounded to float32", worst, 0.0,
                        hint="log each value as it is (not a running mean)")

    lab.section("MLflow: your logging code, read back by MlflowClient")
    ids: dict[str, str] = {}
    with lab.guard("log_mlflow runs"):
        for name, (params, hist, weights) in runs.items():
            path = root / "model.pt"
            path.write_bytes(weights)
            ids[name] = log_mlflow(exp_id if name in trained else edge_id, name, params, hist,
                                   spe, path)
        got_runs = {n: client.get_run(i) for n, i in ids.items()}
        lab.check_equal("MLflow: run names, params (as strings) and status",
                        {n: (r.info.run_name, r.data.params, r.info.status)
                         for n, r in got_runs.items()},
                        {n: (n, {k: str(v) for k, v in runs[n][0].items()}, "FINISHED")
                         for n in runs}, hint="mlflow.log_params(params), not set_tags")
        got = {n: {k: [(m.step, m.value) for m in sorted(client.get_metric_history(i, k),
                                                          key=lambda m: (m.step, m.timestamp))]
                   for k in runs[n][1]} for n, i in ids.items()}
        want = {n: {k: list(zip(logged_steps(k, len(v), spe), v, strict=True))
                    for k, v in h.items()} for n, (_, h, _) in runs.items()}
        lab.check_equal("MLflow: metric histories (step, value), exactly", got, want,
                        hint="log_metric(key, value, step=...) with the same steps")
        lab.check_equal("MLflow: best_val_accuracy = max of val/accuracy",
                        {n: r.data.metrics.get("best_val_accuracy") for n, r in got_runs.items()},
                        {n: max(h["val/accuracy"]) for n, (_, h, _) in runs.items()},
                        hint="the best epoch, not the last one")
        arts = {}
        for n, i in ids.items():
            files = [a.path for a in client.list_artifacts(i)]
            blob = (Path(client.download_artifacts(i, "model.pt", str(root / "dl" / n)))
                    .read_bytes() if "model.pt" in files else b"")
            arts[n] = (files, hashlib.sha256(blob).hexdigest()[:12])
        lab.check_equal("MLflow: artifacts = [model.pt] at the run root, same bytes", arts,
                        {n: (["model.pt"], hashlib.sha256(w).hexdigest()[:12])
                         for n, (_, _, w) in runs.items()},
                        hint="log_artifact(path) with no artifact_path")

    while mlflow.active_run():  # a run your code left open (it raised, or never ended it)
        mlflow.end_run("FAILED")

    lab.section("MLflow search: your query ranks runs")
    ranked: list = []
    with lab.guard("rank_query runs"):
        designed = client.create_experiment("designed")
        log_designed_runs(client, designed)
        rows = [(n, o, max(a), lo, s) for n, o, a, lo, s in DESIGNED]
        filt, order = rank_query("sgd")
        lab.log(f"  filter_string={filt!r} order_by={order!r}")
        found = [r.info.run_name for r in client.search_runs([designed], filt, order_by=order)]
        lab.check_equal("designed runs (a tie, a failed run, a best that is not the last)",
                        found, expected_ranking(rows, "sgd"),
                        hint="DESC; best_val_accuracy, not val/accuracy; FINISHED only")
        for opt in ("sgd", "adam"):
            filt, order = rank_query(opt)
            ranked += client.search_runs([exp_id], filt, order_by=order)
        rows = [(n, p["optimizer"], max(h["val/accuracy"]), h["val/loss"][-1], "FINISHED")
                for n, (p, h, _) in runs.items() if n in trained]
        lab.check_equal("training runs, ranked per optimizer", [r.info.run_name for r in ranked],
                        expected_ranking(rows, "sgd") + expected_ranking(rows, "adam"))

    with lab.shown():
        lab.check_equal(f"TensorBoard's UI keeps a 1,000-point sample of {cfg.demo_points}",
                        points_the_ui_keeps(cfg.demo_points), 1000)
    lab.note(f"browse the runs: tensorboard --logdir {root / 'tb'}; mlflow ui "
             f"--backend-store-uri {root / 'mlruns'}. Weights & Biases is described, not run "
             "(it needs an account, or WANDB_MODE=offline and a later wandb sync)")
    report(lab, runs, tb, ranked, spe)


def report(lab: kit.Lab, runs: dict, tb: dict, ranked: list, spe: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for name in [n for n in runs if "val/accuracy" in tb.get(n, {}) and "made up" not in n]:
        axes[0].plot(*tb[name]["val/accuracy"], "o-", ms=3, label=name)
    axes[0].set(xlabel="global step", ylabel="val/accuracy", title="read back from event files")
    axes[0].legend(fontsize=7)
    best = ranked[0].info.run_name if ranked else next(iter(runs))
    for tag in [t for t in ("train/loss", "val/loss") if t in tb.get(best, {})]:
        axes[1].plot(*tb[best][tag], "o-" if tag.startswith("val") else "-", ms=4, label=tag)
    axes[1].set(xlabel="global step", ylabel="loss", title=f"{best}: one x-axis for both")
    axes[1].legend()
    lab.savefig(fig, "runs_compared.png")
    if ranked:
        lab.table("ranking", ["rank", "run", "best val/accuracy", "final val/loss"],
                  [[k + 1, r.info.run_name, r.data.metrics.get("best_val_accuracy"),
                    r.data.metrics.get("val/loss")] for k, r in enumerate(ranked)],
                  title="MLflow search_runs with your query, per optimizer")
        lab.conclude(f"Your logging wrote {len(runs) - 1} training runs and a made-up one that "
                     f"TensorBoard's and MLflow's own readers gave back exactly (steps, values, "
                     f"params, artifact; {spe}-step epochs on one x-axis), and your query put "
                     f"{best} first among the SGD runs (best val accuracy "
                     f"{ranked[0].data.metrics.get('best_val_accuracy', float('nan')):.4f}).")


def main(argv: list[str] | None = None) -> int:
    return kit.run("experiment-tracking", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
