"""Roadmap Lab engine: the roadmap as a validated prerequisite graph, its labs and progress.

This is the engine's public API: the app and the CLI import ``graph`` and nothing below
it. Never imports streamlit or torch. Importing it is fast: the layout, the lab runner, the
sandbox, the starter writer, the ledger's arithmetic, the table writer and the progress
store (with SQLAlchemy) are imported on first use of one of their names, so ``roadmap
validate`` never pays for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from graph import config, errors, loader, model, queries, validate
from graph.config import *  # noqa: F403 - each module's __all__, listed in _EAGER
from graph.errors import *  # noqa: F403
from graph.loader import *  # noqa: F403
from graph.model import *  # noqa: F403
from graph.queries import *  # noqa: F403
from graph.validate import *  # noqa: F403

if TYPE_CHECKING:  # imported on first use, see __getattr__
    from graph.backends import *  # noqa: F403
    from graph.coverage import *  # noqa: F403
    from graph.evidence import *  # noqa: F403
    from graph.layout import *  # noqa: F403
    from graph.runner import *  # noqa: F403
    from graph.sandbox import *  # noqa: F403
    from graph.sheets import *  # noqa: F403
    from graph.starter import *  # noqa: F403
    from graph.store import *  # noqa: F403

_EAGER = [*errors.__all__, *config.__all__, *model.__all__, *loader.__all__,
          *validate.__all__, *queries.__all__]
# the modules whose names are imported on first use
_LAZY = ("backends", "layout", "runner", "sandbox", "starter", "evidence", "coverage", "sheets",
         "store")


def __getattr__(name: str) -> Any:
    """A name of the runner, the starter or the store (or ``__all__``), on first use."""
    if name in _LAZY or (name.startswith("__") and name != "__all__"):
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    names = list(_EAGER)
    for sub in _LAZY:  # `from graph import store` here would recurse into this function
        module = importlib.import_module(f"graph.{sub}")
        if name in module.__all__:
            value: Any = getattr(module, name)
            break
        names += module.__all__
    else:
        if name != "__all__":
            raise AttributeError(f"module 'graph' has no attribute {name!r}")
        value = names
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__getattr__("__all__")))
