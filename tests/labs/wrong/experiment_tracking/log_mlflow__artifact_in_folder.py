"""Passes artifact_path="model" to log_artifact: the file lands at model/model.pt, not at
the root of the run's artifacts."""

import mlflow


def log_mlflow(experiment_id, run_name, params, history, steps_per_epoch, model_path):
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
        mlflow.log_params(params)
        for key, values in history.items():
            for i, value in enumerate(values):
                step = i if key.startswith("train/") else (i + 1) * steps_per_epoch
                mlflow.log_metric(key, value, step=step)
        mlflow.log_metric("best_val_accuracy", max(history["val/accuracy"]))
        mlflow.log_artifact(str(model_path), artifact_path="model")
    return run.info.run_id
