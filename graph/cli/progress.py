"""``roadmap progress set|show|history|export|import``: your statuses and their history."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

import graph
from graph.cli.common import DbOpt, RoadmapDirs, UserOpt, load, open_store, out
from graph.config import current_user
from graph.model import STATUSES

__all__ = ["commands", "STATUS_HELP"]

commands = typer.Typer(no_args_is_help=True,
                       help="Your progress: set statuses, show it, export and import it.")
STATUS_HELP = " | ".join(STATUSES)


def _bar(fraction: float, colour: str, width: int = 24) -> Text:
    full = round(fraction * width)
    bar = Text("█" * full, style=colour)
    bar.append("░" * (width - full), style="dim")
    return bar


@commands.command("set")
def progress_set(
    node: str,
    status: Annotated[str, typer.Argument(help=STATUS_HELP)],
    note: Annotated[Optional[str], typer.Option(help="A note (\"\" clears it).")] = None,
    user: UserOpt = None, db: DbOpt = None, roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Set your status of NODE: todo, learning, done or skipped (it never locks anything)."""
    rm = load(roadmap_dirs)
    with open_store(db, rm) as store:
        ch = store.set_status(current_user(user), node, status, note=note)
    if not ch.changed:
        out.print(f"{ch.user}: {ch.node} is already {ch.new}")
    else:
        out.print(f"{ch.user}: {ch.node} {ch.old or 'todo'} → {ch.new}"
                  + (f" (note: {ch.note})" if note else ""))


@commands.command("show")
def progress_show(user: UserOpt = None, db: DbOpt = None,
                  roadmap_dirs: RoadmapDirs = None) -> None:
    """Your progress per section, (done + skipped) / total, and what remains."""
    rm = load(roadmap_dirs)
    with open_store(db, rm) as store:
        name = current_user(user)
        secs = graph.section_progress(rm, store, name)
        unknown = store.unknown_nodes(name)
    table = Table(title=f"progress of {name}", title_justify="left")
    for col, just in (("section", "left"), ("", "left"), ("done", "right"), ("%", "right"),
                      ("learning", "right"), ("verified", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for s in secs:
        table.add_row(s.title, _bar(s.fraction, s.colour), f"{s.finished}/{s.total}",
                      f"{100 * s.fraction:.0f}%", str(s.learning), str(s.verified))
    fin, total = sum(s.finished for s in secs), sum(s.total for s in secs)
    table.add_row("[bold]all[/]", _bar(fin / total if total else 1.0, "white"),
                  f"{fin}/{total}", f"{100 * fin / total if total else 100:.0f}%",
                  str(sum(s.learning for s in secs)), str(sum(s.verified for s in secs)))
    out.print(table)
    for s in secs:
        if s.remaining:
            out.print(f"[bold]{s.title}[/] remaining ({len(s.remaining)}): "
                      f"{', '.join(s.remaining)}", soft_wrap=True)
    if unknown:
        out.print(f"[yellow]kept aside[/] (not in this roadmap): {', '.join(unknown)}",
                  soft_wrap=True)


@commands.command("history")
def progress_history(user: UserOpt = None, db: DbOpt = None,
                     limit: Annotated[int, typer.Option(help="How many, newest last.")] = 20
                     ) -> None:
    """Your latest status changes, verified labs and renames."""
    with open_store(db) as store:
        events = store.events(current_user(user))[-limit:] if limit > 0 else []
    if not events:
        out.print("No history yet.")
    for e in events:
        what = (f"{e.from_status or 'todo'} → {e.to_status}" if e.kind == "status"
                else e.kind if e.kind != "note" else "note")
        note = f"  ({e.note})" if e.note else ""
        out.print(f"{e.at:%Y-%m-%d %H:%M}  {e.node or '':<28} {what}{note}", soft_wrap=True)


@commands.command("export")
def progress_export(
    user: UserOpt = None, db: DbOpt = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="File to write (default: standard output).")] = None,
) -> None:
    """Export your statuses, notes, history and lab-run summaries as one JSON file."""
    with open_store(db) as store:
        name = current_user(user)
        if output is not None:
            store.export_file(name, output)
        else:
            doc = store.export_user(name)
    if output is not None:
        out.print(f"wrote {output}")
    else:
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


@commands.command("import")
def progress_import(
    file: Path,
    user: Annotated[Optional[str], typer.Option(
        "--user", "-u", help="Import into this user (default: the one in the file).")] = None,
    allow_unknown: Annotated[bool, typer.Option(
        "--allow-unknown", help="Keep progress on nodes this roadmap lacks, aside.")] = False,
    db: DbOpt = None, roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Import a progress file (all of it, or nothing if anything is wrong)."""
    rm = load(roadmap_dirs)
    with open_store(db, rm) as store:
        rep = store.import_file(file, user=user, allow_unknown=allow_unknown)
    out.print(f"imported into {rep.user}: {rep.statuses} status(es), {rep.events} event(s), "
              f"{rep.lab_runs} lab run(s)"
              + (f"; {rep.duplicates} already present" if rep.duplicates else ""))
    for old, new in sorted(rep.renamed.items()):
        out.print(f"renamed: {old} → {new}")
    if rep.unknown:
        out.print(f"[yellow]kept aside[/] (not in this roadmap): {', '.join(rep.unknown)}",
                  soft_wrap=True)
