"""``roadmap review``: what is due for review, most valuable first, with the command to run."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

import graph
from graph.cli.common import DbOpt, RoadmapDirs, UserOpt, fail, load, open_store, out
from graph.config import current_user, now

__all__ = ["commands", "REVIEW_FORMATS"]

commands = typer.Typer()
REVIEW_FORMATS = ("table", "json")


@commands.command()
def review(
    user: UserOpt = None, db: DbOpt = None, roadmap_dirs: RoadmapDirs = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """What is due for review, most valuable first (what it leads to, how overdue).

    A review is the same exercise at a fresh seed: each line gives the command that runs
    your solution at a seed none of your earlier runs of that node used. A stale node has
    faded below 60 % retention; an invalidated one passed a lab that has changed since.
    ROADMAP_NOW (ISO 8601) moves the clock, to see how the ledger ages.
    """
    if format not in REVIEW_FORMATS:
        raise fail(f"unknown format {format!r}; use {' or '.join(REVIEW_FORMATS)}", 2)
    at = now()  # a bad ROADMAP_NOW fails before anything is opened
    rm = load(roadmap_dirs)
    with open_store(db, rm) as store:
        name = current_user(user)
        queue = graph.reviews_due(rm, store, name, now=at)
    if format == "json":
        sys.stdout.write(json.dumps([r.as_dict() for r in queue], indent=2) + "\n")
        return
    if not queue:
        out.print(f"Nothing is due for review for {name} on {at:%Y-%m-%d}.")
        return
    table = Table(title=f"due for review: {name}, {len(queue)} node(s), {at:%Y-%m-%d}",
                  title_justify="left")
    for col in ("#", "node", "why", "due", "overdue", "retention", "leads to"):
        table.add_column(col, justify="right" if col in ("#", "overdue", "retention",
                                                         "leads to") else "left")
    for i, r in enumerate(queue, 1):
        why = "lab changed: re-check" if r.evidence == "invalidated" else "stale"
        table.add_row(str(i), r.node, why, f"{r.due:%Y-%m-%d}", f"{r.overdue_days:.0f} d",
                      f"{r.retention:.2f}", str(r.unlocks))
    out.print(table)
    for i, r in enumerate(queue, 1):
        out.print(f"{i}. {r.command}", soft_wrap=True)
