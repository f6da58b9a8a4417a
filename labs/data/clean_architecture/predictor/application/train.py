"""Use case: pick the decision threshold that maximises accuracy on labelled scores."""

from __future__ import annotations

from predictor.domain import model


def train_threshold(scores: list[float], labels: list[bool], name: str, version: int
                    ) -> model.ModelInfo:
    best = max(sorted(set(scores)),
               key=lambda t: sum((s >= t) == y for s, y in zip(scores, labels, strict=True)))
    return model.ModelInfo(name, version, best)
