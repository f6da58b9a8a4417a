"""Shared by the browser tests: one headless Chromium per test module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    from tests.e2e.server import chromium

    with chromium() as b:
        yield b
