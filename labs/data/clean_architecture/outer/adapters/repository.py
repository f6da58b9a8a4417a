"""SQLite implementations of the domain's ports (they match the Protocols structurally)."""

from __future__ import annotations

import sqlite3

from predictor.domain.model import ModelInfo, Prediction


class SqliteModelRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, name: str) -> ModelInfo:
        row = self.conn.execute("select name, version, threshold from models where name = ?",
                                (name,)).fetchone()
        return ModelInfo(*row)

    def add(self, info: ModelInfo) -> None:
        with self.conn:
            self.conn.execute("insert into models values (?, ?, ?)",
                              (info.name, info.version, info.threshold))


class SqlitePredictionLog:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(self, prediction: Prediction) -> None:
        with self.conn:
            self.conn.execute("insert into predictions values (?, ?)",
                              (prediction.model.name, prediction.score))
