"""HTTP adapter: JSON in, JSON out, through the predict use case."""

from __future__ import annotations

import json

from predictor.application import predict as predict_uc
from predictor.domain.model import Prediction
from predictor.domain.ports import ModelRepository, PredictionLog, Scorer


def format_response(p: Prediction) -> dict:
    return {"model": p.model.name, "version": p.model.version, "score": p.score,
            "label": p.label}


def handle(body: str, repo: ModelRepository, scorer: Scorer, log: PredictionLog) -> str:
    req = json.loads(body)
    prediction = predict_uc.predict(repo, scorer, log, req["model"], req["features"])
    return json.dumps(format_response(prediction))
