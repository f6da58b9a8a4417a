"""Bug: the log port declares save(), but the SQLite adapter implements record()."""


def ports():
    return '''\
"""Ports: the interfaces the use cases need, implemented by outer layers."""

from __future__ import annotations

from typing import Protocol

from predictor.domain.model import ModelInfo, Prediction


class ModelRepository(Protocol):
    def get(self, name: str) -> ModelInfo: ...

    def add(self, info: ModelInfo) -> None: ...


class Scorer(Protocol):
    def __call__(self, features: list[float]) -> float: ...


class PredictionLog(Protocol):
    def save(self, prediction: Prediction) -> None: ...
'''
