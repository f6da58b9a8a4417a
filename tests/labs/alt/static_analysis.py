'''Another correct answer: Mapping/MutableMapping parameters, early returns, a logger-free
load with pathlib, and a gate spelled with dotted keys and an explicit rule list.'''


def fixed_module():
    return '''\
"""Inventory of a small shop: load the stock, add items, look them up, report."""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import cast


def load(path: str) -> dict[str, int]:
    """Read a stock file: a JSON object mapping item names to units."""
    return cast(dict[str, int], json.loads(Path(path).read_text(encoding="utf-8")))


def add_item(
    name: str, qty: int, store: MutableMapping[str, int] | None = None
) -> MutableMapping[str, int]:
    """Add ``qty`` units of ``name`` to ``store`` (a new store when none is given)."""
    target: MutableMapping[str, int] = {} if store is None else store
    target[name] = target.get(name, 0) + qty
    return target


def total(store: Mapping[str, int]) -> int:
    """Units in stock, all items together."""
    units = 0
    for count in store.values():
        units += count
    return units


def find(store: Mapping[str, int], name: str) -> int | None:
    """Units of ``name`` in stock, or None when the shop never stocked it."""
    if name not in store:
        return None
    return store[name]


def describe(store: Mapping[str, int], name: str) -> str:
    """One line for ``name``: ``"name: units"``."""
    return name + ": " + str(store[name])


def after_restock(store: Mapping[str, int], name: str, qty: int) -> int:
    """Units of ``name`` once ``qty`` more arrive (an item never stocked starts at 0)."""
    return store.get(name, 0) + qty


def report(store: Mapping[str, int]) -> str:
    """``"N items, M units"`` for the whole store."""
    items, units = len(store), total(store)
    return f"{items} items, {units} units"
'''


def quality_gate():
    return """\
[project]
name = "shop"
requires-python = ">=3.11"

[tool.ruff]
target-version = "py311"
line-length = 100
lint.select = ["E4", "E5", "E7", "E9", "F", "B", "I", "UP"]

[tool.mypy]
strict = true
python_version = "3.11"
warn_unreachable = true
"""
