"""Bug: the infrastructure import is gone, but the entity opens sqlite3 itself."""


def model():
    return '''\
"""Entities of the prediction domain: plain data, no I/O."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


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

    def save(self, path: str) -> None:
        with sqlite3.connect(path) as conn:
            conn.execute("insert into predictions values (?, ?)",
                         (self.model.name, self.score))
'''
