"""Bug: ports as abc.ABC classes: adapters that do not inherit are not accepted by type checkers."""


def ports():
    return '''\
"""Ports: the interfaces the use cases need, implemented by outer layers."""

from __future__ import annotations

from abc import ABC, abstractmethod

from predictor.domain.model import ModelInfo, Prediction


class ModelRepository(ABC):
    @abstractmethod
    def get(self, name: str) -> ModelInfo: ...

    @abstractmethod
    def add(self, info: ModelInfo) -> None: ...


class Scorer(ABC):
    @abstractmethod
    def __call__(self, features: list[float]) -> float: ...


class PredictionLog(ABC):
    @abstractmethod
    def record(self, prediction: Prediction) -> None: ...
'''
