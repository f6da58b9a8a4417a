"""``roadmap progress set|show|history|export|import``: your statuses and their history."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

import graph
from graph.cli.common import (
    EVIDENCE_STYLE,
    DbOpt,
    RoadmapDirs,
    UserOpt,
    fail,
    load,
    open_store,
    out,
)
from graph.config import current_user
from graph.model import STATUSES, Roadmap

if TYPE_CHECKING:  # pragma: no cover
    from graph.evidence import NodeEvidence
    from graph.store import SectionProgress

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
def progress_show(
    user: UserOpt = None, db: DbOpt = None, roadmap_dirs: RoadmapDirs = None,
    format: Annotated[str, typer.Option(
        "--format", "-f", help="table, json (a list of nodes) or csv")] = "table",
) -> None:
    """Your progress per section, the evidence of each node and when it is due for review.

    Evidence is what the labs prove, whatever the status: verified (your own solution
    passed), stale (verified, but due for review), invalidated (the lab changed since),
    inferred (a node that depends on it is verified), claimed (done without a pass).
    """
    if format not in SHOW_FORMATS:
        raise fail(f"unknown format {format!r}; use {', '.join(SHOW_FORMATS)}", 2)
    rm = load(roadmap_dirs)
    with open_store(db, rm) as store:
        name = current_user(user)
        ledger = graph.user_ledger(rm, store, name)
        secs = graph.section_progress(rm, store, name) if format == "table" else []
        unknown = store.unknown_nodes(name) if format == "table" else []
    if format == "json":
        doc = [{**e.as_dict(), "section": rm.nodes[e.node].section} for e in ledger.values()]
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    if format == "csv":
        rows = [[e.node, rm.nodes[e.node].section, *_flat(e)] for e in ledger.values()]
        sys.stdout.write(graph.table_bytes(["node", "section", *CSV_FIELDS], rows, "csv")
                         .decode("utf-8"))
        return
    _show_table(rm, name, secs, ledger, unknown)


SHOW_FORMATS = ("table", "json", "csv")
CSV_FIELDS = ("status", "evidence", "retention", "due", "interval_days", "reviews", "lapses",
              "verified_at", "lab_sha256", "via")


def _flat(e: NodeEvidence) -> list[object]:
    d = e.as_dict()
    return [d[k] if k != "via" else " ".join(d["via"]) for k in CSV_FIELDS]


def _show_table(rm: Roadmap, name: str, secs: list[SectionProgress],
                ledger: dict[str, NodeEvidence], unknown: list[str]) -> None:
    table = Table(title=f"progress of {name}", title_justify="left")
    for col, just in (("section", "left"), ("", "left"), ("done", "right"), ("%", "right"),
                      ("learning", "right"), ("verified", "right"), ("claimed", "right"),
                      ("stale", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    by_section = {s.section: s for s in graph.section_evidence(rm, ledger)}
    for s in secs:
        ev = by_section[s.section]
        table.add_row(s.title, _bar(s.fraction, s.colour), f"{s.finished}/{s.total}",
                      f"{100 * s.fraction:.0f}%", str(s.learning),
                      f"{100 * ev.fraction('verified'):.0f}%",
                      f"{100 * ev.fraction('claimed'):.0f}%", str(ev.counts["stale"]))
    fin, total = sum(s.finished for s in secs), sum(s.total for s in secs)
    count = {w: sum(1 for e in ledger.values() if e.evidence == w) for w in graph.EVIDENCE}
    table.add_row("[bold]all[/]", _bar(fin / total if total else 1.0, "white"),
                  f"{fin}/{total}", f"{100 * fin / total if total else 100:.0f}%",
                  str(sum(s.learning for s in secs)),
                  f"{100 * count['verified'] / total if total else 0:.0f}%",
                  f"{100 * count['claimed'] / total if total else 0:.0f}%",
                  str(count["stale"]))
    out.print(table)
    out.print(" · ".join(f"{w} {count[w]}" for w in graph.EVIDENCE if w != "none"
                         ) + f"  (of {total} nodes)")
    shown = [e for e in ledger.values() if e.evidence != "none" or e.status != "todo"]
    if shown:
        nodes = Table(title="evidence", title_justify="left")
        for col in ("node", "status", "evidence", "retention", "next review"):
            nodes.add_column(col, justify="right" if col == "retention" else "left")
        for e in shown:
            nodes.add_row(e.node, e.status, Text(e.evidence, style=EVIDENCE_STYLE[e.evidence]),
                          "" if e.retention is None else f"{e.retention:.2f}",
                          _when(e))
        out.print(nodes)
    for s in secs:
        if s.remaining:
            out.print(f"[bold]{s.title}[/] remaining ({len(s.remaining)}): "
                      f"{', '.join(s.remaining)}", soft_wrap=True)
    if unknown:
        out.print(f"[yellow]kept aside[/] (not in this roadmap): {', '.join(unknown)}",
                  soft_wrap=True)


def _when(e: NodeEvidence) -> str:
    if e.evidence == "invalidated":
        return "re-check now (the lab changed)"
    if e.evidence == "inferred":
        return f"via {', '.join(e.via)}"
    if e.due is None:
        return ""
    return f"{e.due:%Y-%m-%d}" + (" (due)" if e.evidence == "stale" else "")


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
