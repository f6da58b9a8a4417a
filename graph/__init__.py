"""Roadmap Lab engine: the roadmap as a validated prerequisite graph, its labs and progress.

This is the engine's public API: the app and the CLI import ``graph`` and nothing below
it. Never imports streamlit or torch. Importing it is fast: the progress store (and with
it SQLAlchemy) is imported on first use of one of its names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from graph import config, errors, loader, model, queries, runner, starter, validate
from graph.config import *  # noqa: F403 - each module's __all__, listed in _EAGER
from graph.errors import *  # noqa: F403
from graph.loader import *  # noqa: F403
from graph.model import *  # noqa: F403
from graph.queries import *  # noqa: F403
from graph.runner import *  # noqa: F403
from graph.starter import *  # noqa: F403
from graph.validate import *  # noqa: F403

if TYPE_CHECKING:  # the store's names: imported on first use, see __getattr__
    from graph.store import *  # noqa: F403

_EAGER = [*errors.__all__, *config.__all__, *model.__all__, *loader.__all__,
          *validate.__all__, *queries.__all__, *runner.__all__, *starter.__all__]


def __getattr__(name: str) -> Any:
    """The store's names (and ``__all__``, which lists them), imported on first use.

    The progress store imports SQLAlchemy, which takes longer than the rest of the engine:
    ``roadmap validate`` never pays for it.
    """
    if name == "store" or (name.startswith("__") and name != "__all__"):
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    store = importlib.import_module("graph.store")  # `from graph import` would recurse

    if name == "__all__":
        value: Any = [*_EAGER, *store.__all__]
    elif name in store.__all__:
        value = getattr(store, name)
    else:
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__getattr__("__all__")))
