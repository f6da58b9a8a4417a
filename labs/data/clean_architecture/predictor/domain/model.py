"""Entities of the prediction domain."""

from __future__ import annotations

from dataclasses import dataclass

from predictor.infrastructure import db  # PLANTED VIOLATION: domain -> infrastructure


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
        db.connect().execute("insert into predictions values (?, ?)", (self.model.name, self.score))
