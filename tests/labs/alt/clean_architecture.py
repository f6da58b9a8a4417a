"""Another correct answer: slotted dataclasses, runtime-checkable ports that describe
attributes as well as methods, and a use case written with keyword arguments."""


def model():
    return '''\
"""The prediction domain's entities."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    version: int
    threshold: float = field(default=0.5)


@dataclass(frozen=True, slots=True)
class Prediction:
    model: ModelInfo
    score: float

    @property
    def label(self) -> bool:
        return not self.score < self.model.threshold
'''


def ports():
    return '''\
"""What the use cases need from the outside world."""

import typing

from . import model


@typing.runtime_checkable
class ModelRepository(typing.Protocol):
    """Finds and stores model versions."""

    def get(self, name: str) -> model.ModelInfo:
        """The current version of the model called ``name``."""

    def add(self, info: model.ModelInfo) -> None:
        """Store a model version."""


@typing.runtime_checkable
class Scorer(typing.Protocol):
    def __call__(self, features: list[float], /) -> float:
        """A score in [0, 1]."""


@typing.runtime_checkable
class PredictionLog(typing.Protocol):
    def record(self, prediction: model.Prediction) -> None:
        """Keep a prediction for later audits."""
'''


def predict_use_case():
    return '''\
"""Use case: predict."""

from ..domain import ports
from ..domain.model import Prediction


def predict(repo: ports.ModelRepository, scorer: ports.Scorer, log: ports.PredictionLog,
            name: str, features: list[float]) -> Prediction:
    result = Prediction(model=repo.get(name), score=scorer(features))
    log.record(prediction=result)
    return result
'''
