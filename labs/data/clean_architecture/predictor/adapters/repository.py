"""A ModelRepository kept in SQLite."""

from __future__ import annotations

import sqlite3

from predictor.domain import ports
from predictor.domain.model import ModelInfo


class SqliteModelRepository(ports.ModelRepository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, name: str) -> ModelInfo:
        row = self.conn.execute("select name, version, threshold from models where name = ?",
                                (name,)).fetchone()
        return ModelInfo(*row)

    def add(self, info: ModelInfo) -> None:
        self.conn.execute("insert into models values (?, ?, ?)",
                          (info.name, info.version, info.threshold))
