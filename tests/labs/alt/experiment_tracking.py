"""Another correct solution: MlflowClient's lower-level API (create_run, one log_batch,
set_terminated), TensorBoard's new-style tensor summaries with an explicit flush and close,
and a query spelt with MLflow's other accepted prefixes and quotes."""

import time

from mlflow.entities import Metric, Param
from mlflow.tracking import MlflowClient
from torch.utils.tensorboard import SummaryWriter


def _step(tag, i, steps_per_epoch):
    return i if tag.startswith("train/") else (i + 1) * steps_per_epoch


def log_tensorboard(log_dir, history, steps_per_epoch):
    writer = SummaryWriter(str(log_dir), flush_secs=1)
    try:
        for tag in sorted(history):
            for i, y in enumerate(history[tag]):
                writer.add_scalar(tag, y, _step(tag, i, steps_per_epoch), new_style=True)
        writer.flush()
    finally:
        writer.close()


def log_mlflow(experiment_id, run_name, params, history, steps_per_epoch, model_path):
    client = MlflowClient()
    run_id = client.create_run(experiment_id, run_name=run_name).info.run_id
    now = int(time.time() * 1000)
    metrics = [Metric(tag, float(y), now, _step(tag, i, steps_per_epoch))
               for tag, ys in history.items() for i, y in enumerate(ys)]
    metrics.append(Metric("best_val_accuracy", max(history["val/accuracy"]), now, 0))
    client.log_batch(run_id, metrics=metrics,
                     params=[Param(k, str(v)) for k, v in params.items()])
    client.log_artifact(run_id, str(model_path))
    client.set_terminated(run_id, "FINISHED")
    return run_id


def rank_query(optimizer):
    where = f'param.optimizer = "{optimizer}" AND attribute.status = "FINISHED"'
    return where, ["metric.best_val_accuracy DESC", "metric.`val/loss`"]
