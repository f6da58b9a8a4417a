"""Composition root: the only place that wires concrete classes together."""

from __future__ import annotations

from collections.abc import Callable

from predictor.adapters import http
from predictor.adapters.repository import SqliteModelRepository, SqlitePredictionLog
from predictor.application.train import train_threshold
from predictor.infrastructure.db import connect


def mean_score(features: list[float]) -> float:
    return sum(features) / len(features)


def build(path: str = ":memory:") -> Callable[[str], str]:
    conn = connect(path)
    repo, log = SqliteModelRepository(conn), SqlitePredictionLog(conn)
    repo.add(train_threshold([0.2, 0.4, 0.7, 0.9], [False, False, True, True], "churn", 1))
    return lambda body: http.handle(body, repo, mean_score, log)
