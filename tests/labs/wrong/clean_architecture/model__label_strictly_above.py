"""Bug: label uses > instead of >=: a score at the threshold is labelled False."""


def model():
    return '''\
"""Entities of the prediction domain: plain data, no I/O."""

from __future__ import annotations

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
        return self.score > self.model.threshold
'''
