"""Composition root: the only place that wires concrete classes together."""

from __future__ import annotations

from predictor.adapters import http
from predictor.adapters.repository import SqliteModelRepository
from predictor.application.train import train_threshold
from predictor.infrastructure.db import connect


def build(path: str = ":memory:"):
    repo = SqliteModelRepository(connect(path))
    repo.add(train_threshold([0.2, 0.4, 0.7, 0.9], [False, False, True, True], "churn", 1))
    return lambda body: http.handle(body, repo, lambda xs: sum(xs) / len(xs))
