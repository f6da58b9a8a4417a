"""Bug: '== None' replaced by a truthiness test: 0 units now reads as never stocked."""


def fixed_module():
    return '''\
"""Inventory of a small shop: load the stock, add items, look them up, report."""

import json


def load(path: str) -> dict[str, int]:
    """Read a stock file: a JSON object mapping item names to units."""
    with open(path, encoding="utf-8") as f:
        stock: dict[str, int] = json.load(f)
    return stock


def add_item(name: str, qty: int, store: dict[str, int] | None = None) -> dict[str, int]:
    """Add ``qty`` units of ``name`` to ``store`` (a new store when none is given)."""
    if store is None:
        store = {}
    store[name] = store.get(name, 0) + qty
    return store


def total(store: dict[str, int]) -> int:
    """Units in stock, all items together."""
    return sum(store.values())


def find(store: dict[str, int], name: str) -> int | None:
    """Units of ``name`` in stock, or None when the shop never stocked it."""
    return store[name] if store.get(name) else None


def describe(store: dict[str, int], name: str) -> str:
    """One line for ``name``: ``"name: units"``."""
    return f"{name}: {store[name]}"


def after_restock(store: dict[str, int], name: str, qty: int) -> int:
    """Units of ``name`` once ``qty`` more arrive (an item never stocked starts at 0)."""
    current = find(store, name)
    return (0 if current is None else current) + qty


def report(store: dict[str, int]) -> str:
    """``"N items, M units"`` for the whole store."""
    return f"{len(store)} items, {total(store)} units"
'''
