"""SQLite connection and schema."""

from __future__ import annotations

import sqlite3

SCHEMA = ("create table if not exists models (name text, version int, threshold real);"
          "create table if not exists predictions (model text, score real);")


def connect(path: str = ":memory:") -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    return conn
