"""Records the hyperparameters as run tags (set_tags) instead of params: the run has no
params, so a search on params.optimizer finds nothing."""

import mlflow


def log_mlflow(experiment_id, run_name, params, history, steps_per_epoch, model_path):
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
        mlflow.set_tags(params)
        for key, values in history.items():
            for i, value in enumerate(values):
                step = i if key.startswith("train/") else (i + 1) * steps_per_epoch
                mlflow.log_metric(key, value, step=step)
        mlflow.log_metric("best_val_accuracy", max(history["val/accuracy"]))
        mlflow.log_artifact(str(model_path))
    return run.info.run_id
