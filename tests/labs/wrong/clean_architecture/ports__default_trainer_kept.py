"""Bug: the ports module still imports the training use case for a default."""


def ports():
    return '''\
"""Ports: the interfaces the use cases need, implemented by outer layers."""

from __future__ import annotations

from typing import Protocol

import predictor.application.train as train_uc
from predictor.domain.model import ModelInfo, Prediction


class ModelRepository(Protocol):
    def get(self, name: str) -> ModelInfo: ...

    def add(self, info: ModelInfo) -> None: ...


class Scorer(Protocol):
    def __call__(self, features: list[float]) -> float: ...


class PredictionLog(Protocol):
    def record(self, prediction: Prediction) -> None: ...


DEFAULT_TRAINER = train_uc.train_threshold
'''
