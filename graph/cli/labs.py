"""``roadmap lab list|run|batch|start``: the labs, running one or many, a starter file."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

import graph
from graph.backends import backend_for
from graph.cli.common import RoadmapDirs, RunnerOpt, UserOpt, fail, load, open_store, out
from graph.config import current_user, runner_url, solution_path
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
    state = backend_for(runner_url()).status()
    out.print(f"runner: {state.name}: {state.detail}" if state.answers else
              f"[yellow]runner {state.name} does not answer:[/] {state.detail}")


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
    runner: RunnerOpt = None,
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
                        recorder=graph.store_recorder(), sandbox=not no_sandbox,
                        runner=backend_for(runner or runner_url()))
    colour = {"pass": "green", "fail": "red"}.get(run.status, "yellow")
    out.print(f"\n[{colour}]{run.status.upper()}[/] {run.node} in {run.duration_s:.1f} s"
              + (f": {run.message}" if run.message else "") + f"\nlog: {run.log_path}")
    if run.verified:
        out.print("[green]verified:[/] your own solution passed every check.")
    raise typer.Exit(0 if run.status == "pass" else 1)


@commands.command("batch")
def lab_batch(
    nodes: Annotated[Optional[list[str]], typer.Argument(help="Nodes whose labs to run.")] = None,
    all_labs: Annotated[bool, typer.Option("--all", help="Every node's lab.")] = False,
    section: Annotated[Optional[str], typer.Option(help="Every lab of one section.")] = None,
    device: Annotated[str, typer.Option(help=" | ".join(DEVICES))] = "auto",
    quick: Annotated[bool, typer.Option("--quick", help="Small sizes on the CPU.")] = False,
    jobs: Annotated[Optional[int], typer.Option(
        help="Runs at once (default: half the CPUs here; every lab on a Ray cluster, "
             "which queues what does not fit).")] = None,
    runner: RunnerOpt = None,
    user: UserOpt = None,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Run many labs at once, with a progress bar and a table of results.

    Authors check every lab on the team's cluster with it; a team lead re-checks after an
    upgrade. Every run is recorded in the store like a single one.
    """
    rm = load(roadmap_dirs)
    if device not in DEVICES:
        raise fail(f"unknown device {device!r}; use {', '.join(DEVICES)}", 2)
    picked = _pick(rm, nodes or [], all_labs, section)
    backend = backend_for(runner or runner_url())
    state = backend.status()
    if not state.answers:
        raise fail(state.detail)
    width = jobs or (len(picked) if backend.url != "local" else max(1, (os.cpu_count() or 2) // 2))
    if width < 1:
        raise fail("--jobs must be at least 1", 2)
    record, runs = graph.store_recorder(), []
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=out) as bar, ThreadPoolExecutor(width) as pool:
        task = bar.add_task(f"{len(picked)} labs on {backend.url}", total=len(picked))
        futures = [pool.submit(graph.run_lab, rm, nid, device=device, quick=quick,
                               user=current_user(user), recorder=record, runner=backend)
                   for nid in picked]
        for fut in as_completed(futures):
            run = fut.result()
            runs.append(run)
            bar.advance(task)
            bar.console.print(f"{run.status:>9}  {run.node}  {run.duration_s:.1f} s")
    table = Table(title=f"{len(runs)} labs", title_justify="left")
    for col in ("node", "status", "seconds", "where", "message"):
        table.add_column(col)
    for run in sorted(runs, key=lambda r: picked.index(r.node)):
        colour = {"pass": "green", "fail": "red"}.get(run.status, "yellow")
        table.add_row(run.node, f"[{colour}]{run.status}[/]", f"{run.duration_s:.1f}",
                      run.where, run.message[:60])
    out.print(table)
    passed = sum(r.status == "pass" for r in runs)
    out.print(f"{passed}/{len(runs)} passed")
    raise typer.Exit(0 if passed == len(runs) else 1)


def _pick(rm: graph.Roadmap, nodes: list[str], all_labs: bool, section: str | None
          ) -> list[str]:
    """The nodes a batch runs, in roadmap order, each once; a clear error for bad input."""
    if sum([bool(nodes), all_labs, section is not None]) != 1:
        raise fail("name nodes, or give --all, or --section SECTION (one of them)", 2)
    if all_labs:
        return [n for n in rm.nodes if rm.has_lab(n)]
    if section is not None:
        known = [s.id for s in rm.sections]
        if section not in known:
            raise fail(f"unknown section {section!r}; sections: {', '.join(known)}", 2)
        return [n.id for n in rm.nodes.values() if n.section == section and rm.has_lab(n.id)]
    return list(dict.fromkeys(rm.get(n).id for n in nodes))


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
