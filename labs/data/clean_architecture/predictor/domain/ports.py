"""Ports: interfaces the use cases need, implemented by outer layers (dependency inversion)."""

from __future__ import annotations

from typing import Protocol

import predictor.application.train as train_uc  # PLANTED VIOLATION: domain -> application

from . import model


class ModelRepository(Protocol):
    def get(self, name: str) -> model.ModelInfo: ...

    def add(self, info: model.ModelInfo) -> None: ...


class Scorer(Protocol):
    def __call__(self, features: list[float]) -> float: ...


DEFAULT_TRAINER = train_uc.train_threshold
