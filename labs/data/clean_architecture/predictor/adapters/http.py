"""Turns use-case results into JSON-ready payloads."""

from __future__ import annotations

import json

from predictor.application import predict as predict_uc
from predictor.domain.model import Prediction


def format_response(p: Prediction) -> dict:
    return {"model": p.model.name, "version": p.model.version, "score": p.score,
            "label": p.label}


def handle(body: str, repo, scorer) -> str:
    req = json.loads(body)
    return json.dumps(predict_uc.predict(repo, scorer, req["model"], req["features"]))
