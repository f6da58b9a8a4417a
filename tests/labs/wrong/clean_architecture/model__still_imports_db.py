"""Bug: the entity still saves itself through the infrastructure's database."""


def model():
    return '''\
"""Entities of the prediction domain: plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from predictor.infrastructure import db


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: int
    threshold: float = 0.5


@dataclass(frozen=True)
class Prediction:
    model: ModelInfo
    score: float

    @property
    def label(self) -> bool:
        return self.score >= self.model.threshold

    def save(self) -> None:
        db.connect().execute("insert into predictions values (?, ?)",
                             (self.model.name, self.score))
'''
