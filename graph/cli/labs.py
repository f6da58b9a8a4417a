"""``roadmap lab list|run|start``: the labs, running one, and a learner's starter file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

import graph
from graph.cli.common import RoadmapDirs, UserOpt, fail, load, open_store, out
from graph.config import current_user, solution_path
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
    box = graph.sandbox_info()
    out.print(f"learner solutions run in the {box.detail}" if box.active else
              f"[yellow]sandbox not active:[/] {box.detail}; to fix: {box.fix}")


@commands.command("run")
def lab_run(
    node_id: str,
    device: Annotated[str, typer.Option(help=" | ".join(DEVICES))] = "auto",
    quick: Annotated[bool, typer.Option("--quick", help="Small sizes on the CPU.")] = False,
    solution: Annotated[Optional[Path], typer.Option(help="Your solution file.")] = None,
    seed: int = 0,
    no_sandbox: Annotated[bool, typer.Option(
        "--no-sandbox", help="Run your solution without the sandbox (your own machine "
                             "and your own code only).")] = False,
    user: UserOpt = None,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Run a node's lab with live output, then its checks table.

    With --solution your functions replace the lab's; the run happens in the sandbox
    (no network, read-only code, no access to your data) unless you pass --no-sandbox.
    """
    rm = load(roadmap_dirs)
    if device not in DEVICES:
        raise fail(f"unknown device {device!r}; use {', '.join(DEVICES[:-1])} or "
                   f"{DEVICES[-1]}", 2)
    node = rm.get(node_id)
    # the store records the run; when it cannot, the JSON-lines history keeps it
    run = graph.run_lab(rm, node.id, device=device, quick=quick, seed=seed, solution=solution,
                        on_line=lambda s: print(s, flush=True), user=current_user(user),
                        recorder=graph.store_recorder(), sandbox=not no_sandbox)
    colour = {"pass": "green", "fail": "red"}.get(run.status, "yellow")
    out.print(f"\n[{colour}]{run.status.upper()}[/] {run.node} in {run.duration_s:.1f} s"
              + (f": {run.message}" if run.message else "") + f"\nlog: {run.log_path}")
    if run.verified:
        out.print("[green]verified:[/] your own solution passed every check.")
    raise typer.Exit(0 if run.status == "pass" else 1)


@commands.command("start")
def lab_start(node_id: str,
              dir: Annotated[Optional[Path], typer.Option(
                  "--dir", help="Where to write it (default: your solutions folder, the "
                                "file the app's Practice tab checks).")] = None,
              force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
              user: UserOpt = None,
              roadmap_dirs: RoadmapDirs = None) -> None:
    """Write a starter file: the lesson, then the exercises' signatures and docstrings."""
    rm = load(roadmap_dirs)
    node = rm.get(node_id)
    script = rm.lab_path(node.id)
    if script is None or not script.is_file():
        raise fail(f"node {node.id!r} has no lab script yet")
    text = graph.make_starter(script, node.id)
    target = solution_path(current_user(user), node.id)
    if dir is not None:
        target = dir / target.name
    if target.exists() and not force:
        raise fail(f"{target} exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out.print(f"wrote {target}\nthen: roadmap lab run {node.id} --quick --solution {target}")
