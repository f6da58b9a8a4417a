"""``roadmap lab list|run|start``: the labs, running one, and a learner's starter file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

import graph
from graph.cli.common import RoadmapDirs, fail, load, open_store, out
from graph.config import current_user
from graph.model import DEVICES

__all__ = ["commands"]

commands = typer.Typer(no_args_is_help=True, help="List, run and start labs.")


@commands.command("list")
def lab_list(roadmap_dirs: RoadmapDirs = None) -> None:
    """Every node's lab, whether it needs a GPU, and its last result."""
    rm = load(roadmap_dirs)
    with open_store(roadmap=rm) as store:
        last = store.last_runs()
    table = Table(title="labs", title_justify="left")
    for col in ("node", "lab", "gpu", "last result", "missing"):
        table.add_column(col)
    for n in rm.nodes.values():
        script = n.lab.script if n.lab else "-"
        if not rm.has_lab(n.id):
            script += " (missing)"
        r = last.get(n.id)
        res = f"{r.status} ({r.started_at:%Y-%m-%d %H:%M})" if r else "-"
        table.add_row(n.id, script, n.lab.gpu if n.lab else "-", res,
                      ", ".join(graph.missing_requirements(rm, n.id)))
    out.print(table)


@commands.command("run")
def lab_run(
    node_id: str,
    device: Annotated[str, typer.Option(help=" | ".join(DEVICES))] = "auto",
    quick: Annotated[bool, typer.Option("--quick", help="Small sizes on the CPU.")] = False,
    solution: Annotated[Optional[Path], typer.Option(help="Your solution file.")] = None,
    seed: int = 0,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Run a node's lab with live output, then its checks table."""
    rm = load(roadmap_dirs)
    if device not in DEVICES:
        raise fail(f"unknown device {device!r}; use {', '.join(DEVICES[:-1])} or "
                   f"{DEVICES[-1]}", 2)
    node = rm.get(node_id)
    # the store records the run; when it cannot, the JSON-lines history keeps it
    run = graph.run_lab(rm, node.id, device=device, quick=quick, seed=seed, solution=solution,
                  on_line=lambda s: print(s, flush=True), user=current_user(),
                  recorder=graph.store_recorder())
    colour = {"pass": "green", "fail": "red"}.get(run.status, "yellow")
    out.print(f"\n[{colour}]{run.status.upper()}[/] {run.node} in {run.duration_s:.1f} s"
              + (f": {run.message}" if run.message else "") + f"\nlog: {run.log_path}")
    if run.verified:
        out.print("[green]verified:[/] your own solution passed every check.")
    raise typer.Exit(0 if run.status == "pass" else 1)


@commands.command("start")
def lab_start(node_id: str,
              dir: Annotated[Path, typer.Option("--dir", help="Where to write it.")] = Path("."),
              force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
              roadmap_dirs: RoadmapDirs = None) -> None:
    """Write a starter file for a lab's exercises (signatures, docstrings, empty bodies)."""
    rm = load(roadmap_dirs)
    node = rm.get(node_id)
    script = rm.lab_path(node.id)
    if script is None or not script.is_file():
        raise fail(f"node {node.id!r} has no lab script yet")
    text = graph.make_starter(script, node.id)
    target = dir / f"{node.id.replace('-', '_')}_solution.py"
    if target.exists() and not force:
        raise fail(f"{target} exists; use --force to overwrite it")
    dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out.print(f"wrote {target}\nthen: roadmap lab run {node.id} --quick --solution {target}")
