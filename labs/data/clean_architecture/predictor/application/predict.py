"""Use case: score features with the current model."""

from __future__ import annotations

from predictor.domain.model import Prediction
from predictor.domain.ports import ModelRepository, Scorer

from ..adapters import http as presenter  # PLANTED VIOLATION: application -> adapters


def predict(repo: ModelRepository, scorer: Scorer, name: str, features: list[float]) -> dict:
    info = repo.get(name)
    return presenter.format_response(Prediction(info, scorer(features)))
