"""Calls log_metric without step=: every value lands at step 0, so the history has no
x-axis (MLflow keeps them all, at one step)."""

import mlflow


def log_mlflow(experiment_id, run_name, params, history, steps_per_epoch, model_path):
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
        mlflow.log_params(params)
        for key, values in history.items():
            for value in values:
                mlflow.log_metric(key, value)
        mlflow.log_metric("best_val_accuracy", max(history["val/accuracy"]))
        mlflow.log_artifact(str(model_path))
    return run.info.run_id
