"""What every ``roadmap`` command shares: the consoles, the options, the error handler.

A shared option is defined once here and reused (as sqlite-utils does for its 39
commands), so ``--user`` means one thing everywhere: whose progress, defaulting to
``ROADMAP_USER`` and then the local profile. Every command runs inside one error handler
(:class:`RoadmapGroup`): a :class:`~graph.errors.RoadmapError` becomes one clear line per
problem on stderr and exit code 1 (2 for a value outside its vocabulary), never a
traceback. The progress store is reached through ``graph``'s public names, which import
SQLAlchemy only when a command uses them, so ``roadmap validate`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from typer.core import TyperGroup

import graph
from graph.config import current_user
from graph.errors import InvalidStatus, RoadmapError, ValidationFailed
from graph.loader import load_roadmap
from graph.model import Roadmap

if TYPE_CHECKING:  # pragma: no cover
    from graph.store import Store

__all__ = [
    "out",
    "err",
    "RoadmapGroup",
    "errors",
    "fail",
    "RoadmapDirs",
    "UserOpt",
    "DoneOpt",
    "DbOpt",
    "RunnerOpt",
    "load",
    "open_store",
    "done_nodes",
    "EVIDENCE_STYLE",
]

# how each kind of evidence is printed (progress show, team show, review)
EVIDENCE_STYLE = {"verified": "bold green", "stale": "yellow", "invalidated": "red",
                  "inferred": "cyan", "claimed": "white", "none": "dim"}

out = Console(highlight=False, soft_wrap=True)  # ids and paths stay on one line
err = Console(stderr=True, highlight=False, soft_wrap=True)

RoadmapDirs = Annotated[Optional[list[Path]], typer.Option(
    "--roadmap", "-r", help="Roadmap directory (repeat to merge; default: the bundled one).")]
UserOpt = Annotated[Optional[str], typer.Option(
    "--user", "-u", help="Whose progress (default: ROADMAP_USER, then the local profile).")]
DoneOpt = Annotated[Optional[list[str]], typer.Option(
    "--done", "-d", help="A node you have done, besides your progress (repeatable).")]
RunnerOpt = Annotated[Optional[str], typer.Option(
    "--runner", help="Where labs run: local or ray://HOST:PORT (the Ray dashboard); "
                     "default: ROADMAP_RUNNER, then local.")]
DbOpt = Annotated[Optional[str], typer.Option(
    "--db", help="Database URL (postgresql://...) or SQLite file; default: ROADMAP_DB_URL, "
                 "then progress.sqlite3 in the data directory.")]


@contextmanager
def errors() -> Iterator[None]:
    """Turn a RoadmapError into one line per problem on stderr and an exit code.

    Exit 1, or 2 for a value outside its vocabulary (a status, a role), which is a usage
    error like an unknown option.
    """
    try:
        yield
    except ValidationFailed as exc:
        for p in exc.problems:
            err.print(f"[red]error:[/] {p}")
        err.print(f"{len(exc.problems)} problem(s) in the roadmap; run 'roadmap validate' "
                  "for details.")
        raise typer.Exit(1) from None
    except RoadmapError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2 if isinstance(exc, InvalidStatus) else 1) from None


class RoadmapGroup(TyperGroup):
    """The command group that runs every sub-command inside :func:`errors`."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click.Context
        with errors():
            return super().invoke(ctx)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as an error line (or several) and return an Exit to raise."""
    for line in message.splitlines():
        err.print(f"[red]error:[/] {line}" if not line.startswith("- ") else line)
    return typer.Exit(code)


def load(dirs: list[Path] | None) -> Roadmap:
    """The roadmap in ``dirs`` (the bundled one by default); problems end the command."""
    return load_roadmap(*(dirs or []))


@contextmanager
def open_store(db: str | None = None, roadmap: Roadmap | None = None) -> Iterator[Store]:
    """The progress store for one command (``--db``, else ``ROADMAP_DB_URL``, else SQLite)."""
    store = graph.open_store(db, roadmap=roadmap)
    try:
        yield store
    finally:
        store.close()


def done_nodes(roadmap: Roadmap, done: list[str] | None, user: str | None) -> set[str]:
    """What counts as done for ``path`` and ``next``: ``--done`` ids and the user's progress."""
    ids = {roadmap.get(d).id for d in done or []}
    with open_store(roadmap=roadmap) as store:
        return ids | graph.done_for(store, current_user(user), roadmap)
