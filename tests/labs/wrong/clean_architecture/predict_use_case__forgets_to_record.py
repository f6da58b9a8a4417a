"""Bug: the prediction is returned but never recorded through the log port."""


def predict_use_case():
    return '''\
"""Use case: score features with the named model and record the prediction."""

from __future__ import annotations

from predictor.domain.model import Prediction
from predictor.domain.ports import ModelRepository, PredictionLog, Scorer


def predict(repo: ModelRepository, scorer: Scorer, log: PredictionLog, name: str,
            features: list[float]) -> Prediction:
    prediction = Prediction(repo.get(name), scorer(features))
    return prediction
'''
