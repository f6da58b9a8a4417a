"""The ``roadmap`` command: validate, browse and query the roadmap, run labs, start the app.

Bad input ends in one clear line per problem and exit code 1 (2 for usage errors), never a
traceback. Nothing here imports torch or streamlit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from graph.cli_progress import register as register_progress_commands
from graph.errors import RoadmapError, ValidationFailed
from graph.loader import load_roadmap, read_roadmap
from graph.model import Roadmap
from graph.queries import learning_path, next_up, stats, unlocks

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Roadmap Lab: the LLMs & Deep Learning roadmap as a prerequisite graph "
                       "with a self-checking lab for every node.")
lab_app = typer.Typer(no_args_is_help=True, help="List, run and start labs.")
app.add_typer(lab_app, name="lab")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

RoadmapDirs = Annotated[Optional[list[Path]], typer.Option(
    "--roadmap", "-r", help="Roadmap directory (repeat to merge; default: the bundled one).")]
DoneOpt = Annotated[Optional[list[str]], typer.Option("--done", "-d", help="A node you have done "
                                                      "(repeatable).")]
UserOpt = Annotated[Optional[str], typer.Option("--user", "-u", help="Take done nodes from this "
                                                "user's progress (default: ROADMAP_USER).")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as one error line (or several) and return an Exit to raise."""
    for line in message.splitlines():
        err.print(f"[red]error:[/] {line}" if not line.startswith("- ") else line, soft_wrap=True)
    return typer.Exit(code)


def _load(dirs: list[Path] | None) -> Roadmap:
    try:
        return load_roadmap(*(dirs or []))
    except ValidationFailed as exc:
        for p in exc.problems:
            err.print(f"[red]error:[/] {p}", soft_wrap=True)
        err.print(f"{len(exc.problems)} problem(s); run 'roadmap validate' for details.")
        raise typer.Exit(1) from None


def _done(roadmap: Roadmap, done: list[str] | None, user: str | None) -> set[str]:
    ids = set()
    for d in done or []:
        ids.add(roadmap.get(d).id)
    if user is not None or os.environ.get("ROADMAP_USER"):
        from graph.progress import current_user, done_for, open_store

        store = open_store(roadmap=roadmap)
        try:
            ids |= done_for(store, current_user(user), roadmap)
        finally:
            store.close()
    return ids


@app.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Roadmap directories to merge (default: the bundled roadmap).")] = None,
    strict: Annotated[bool, typer.Option(help="A missing lab is an error.")] = False,
) -> None:
    """Check the roadmap: schema, ids, prerequisites, cycles, aliases, lab files."""
    roadmap, problems = read_roadmap(*(paths or []), strict=strict)
    for p in problems:
        err.print(f"[red]error:[/] {p}", soft_wrap=True)
    if roadmap is not None:
        for w in roadmap.warnings:
            err.print(f"[yellow]warning:[/] {w}", soft_wrap=True)
    if problems:
        err.print(f"[red]invalid:[/] {len(problems)} problem(s)")
        raise typer.Exit(1)
    assert roadmap is not None
    s = stats(roadmap)
    out.print(f"[green]valid:[/] {s['nodes']} nodes, {s['edges']} prerequisite edges, "
              f"{len(roadmap.sections)} sections, depth {s['depth']}, {s['labs']} labs"
              + (f", {len(roadmap.warnings)} warning(s)" if roadmap.warnings else ""))


@app.command("list")
def list_(
    section: Annotated[Optional[str], typer.Option("--section", "-s")] = None,
    level: Annotated[Optional[str], typer.Option("--level", "-l")] = None,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """List the nodes, grouped by section."""
    rm = _load(roadmap_dirs)
    try:
        sections = [rm.section(section)] if section else rm.sections
    except RoadmapError as exc:
        raise fail(str(exc)) from None
    if level and level not in ("beginner", "intermediate", "advanced"):
        raise fail(f"unknown level {level!r}; use beginner, intermediate or advanced", 2)
    for s in sections:
        table = Table(title=f"{s.order}. {s.title}", title_justify="left")
        for col in ("id", "title", "level", "hours", "prerequisites"):
            table.add_column(col)
        for n in rm.in_section(s.id):
            if level and n.level != level:
                continue
            table.add_row(n.id, n.title, n.level, f"{n.estimate_hours:g}",
                          ", ".join(n.prerequisites) or "-")
        out.print(table)


@app.command()
def show(node_id: str, roadmap_dirs: RoadmapDirs = None,
         lang: Annotated[str, typer.Option(help="en or es")] = "en") -> None:
    """Show one node: summary, prerequisites, what it unlocks, objectives, resources, lab."""
    rm = _load(roadmap_dirs)
    try:
        n = rm.get(node_id)
    except RoadmapError as exc:
        raise fail(str(exc)) from None
    out.print(f"[bold]{n.title_in(lang)}[/]  ({n.id}, {rm.section(n.section).title_in(lang)}, "
              f"{n.level}, {n.estimate_hours:g} h)")
    out.print(n.summary_in(lang).strip())
    out.print(f"\n[bold]prerequisites:[/] {', '.join(n.prerequisites) or 'none'}")
    out.print(f"[bold]unlocks:[/] {', '.join(unlocks(rm, n.id)) or 'nothing'}")
    out.print("[bold]objectives:[/]")
    for o in n.objectives:
        out.print(f"  - {o}")
    out.print("[bold]resources:[/]")
    for r in n.resources:
        out.print(f"  - [{r.type}] {r.title}: {r.url}")
    if n.tags:
        out.print(f"[bold]covers:[/] {', '.join(n.tags)}")
    if n.lab:
        out.print(f"[bold]lab:[/] {n.lab.script} (gpu {n.lab.gpu}, timeout {n.lab.timeout_s} s)"
                  f"  ->  roadmap lab run {n.id} --quick")


@app.command()
def path(target: str, done: DoneOpt = None, user: UserOpt = None,
         roadmap_dirs: RoadmapDirs = None) -> None:
    """What to learn, in order, to reach TARGET."""
    rm = _load(roadmap_dirs)
    try:
        lp = learning_path(rm, target, _done(rm, done, user))
    except RoadmapError as exc:
        raise fail(str(exc)) from None
    if not lp.steps:
        out.print(f"{lp.target} is already done.")
        return
    table = Table(title=f"path to {lp.target}: {len(lp.steps)} steps, {lp.hours:g} h",
                  title_justify="left")
    for col in ("#", "id", "title", "hours"):
        table.add_column(col)
    for i, nid in enumerate(lp.steps, 1):
        table.add_row(str(i), nid, rm.nodes[nid].title, f"{rm.nodes[nid].estimate_hours:g}")
    out.print(table)


@app.command("next")
def next_(done: DoneOpt = None, user: UserOpt = None, roadmap_dirs: RoadmapDirs = None,
          limit: Annotated[int, typer.Option(help="How many to show.")] = 10) -> None:
    """What you can start now (all prerequisites done), most unlocking first."""
    rm = _load(roadmap_dirs)
    try:
        fringe = next_up(rm, _done(rm, done, user))
    except RoadmapError as exc:
        raise fail(str(exc)) from None
    table = Table(title="next up", title_justify="left")
    for col in ("id", "title", "unlocks", "leads to", "hours"):
        table.add_column(col)
    for nu in fringe[:limit]:
        table.add_row(nu.node_id, rm.nodes[nu.node_id].title, str(nu.unlocks),
                      str(nu.leads_to), f"{nu.hours:g}")
    out.print(table if fringe else "Nothing left: every node is done.")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="json or dot")] = "json",
    output: Annotated[Optional[Path], typer.Option("--output", "-o")] = None,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Export the whole graph as JSON or Graphviz DOT."""
    rm = _load(roadmap_dirs)
    if format == "json":
        text = json.dumps({
            "sections": [s.to_dict() for s in rm.sections],
            "nodes": [n.to_dict() for n in rm.nodes.values()],
            "edges": [[u, v] for u, v in rm.edges()],
        }, indent=1, ensure_ascii=False)
    elif format == "dot":
        colour = {s.id: s.colour for s in rm.sections}
        lines = ["digraph roadmap {", "  rankdir=LR;", "  node [shape=box, style=filled];"]
        lines += [f'  "{n.id}" [label="{n.title}", fillcolor="{colour.get(n.section, "#ccc")}"];'
                  for n in rm.nodes.values()]
        lines += [f'  "{u}" -> "{v}";' for u, v in rm.edges()]
        text = "\n".join(lines + ["}"])
    else:
        raise fail(f"unknown format {format!r}; use json or dot", 2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        out.print(f"wrote {output}")
    else:
        sys.stdout.write(text + "\n")


@app.command("app")
def app_(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
         port: Annotated[int, typer.Option()] = 8501) -> None:
    """Start the Streamlit app (listens on 127.0.0.1 unless --host says otherwise)."""
    app_py = Path(__file__).resolve().parent.parent / "app.py"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_py), "--server.address", host,
           "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    raise typer.Exit(subprocess.call(cmd))


# --------------------------------------------------------------------------- labs
@lab_app.command("list")
def lab_list(roadmap_dirs: RoadmapDirs = None) -> None:
    """Every node's lab, whether it needs a GPU, and its last result."""
    from graph.progress import open_store
    from graph.runner import missing_requirements

    rm = _load(roadmap_dirs)
    store = open_store(roadmap=rm)
    try:
        last = store.last_runs()
    finally:
        store.close()
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
                      ", ".join(missing_requirements(rm, n.id)))
    out.print(table)


@lab_app.command("run")
def lab_run(
    node_id: str,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda")] = "auto",
    quick: Annotated[bool, typer.Option("--quick", help="Small sizes on the CPU.")] = False,
    solution: Annotated[Optional[Path], typer.Option(help="Your solution file.")] = None,
    seed: int = 0,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Run a node's lab with live output, then its checks table."""
    from graph.runner import run_lab

    rm = _load(roadmap_dirs)
    if device not in ("auto", "cpu", "cuda"):
        raise fail(f"unknown device {device!r}; use auto, cpu or cuda", 2)
    try:
        node = rm.get(node_id)
    except RoadmapError as exc:
        raise fail(str(exc)) from None
    run = run_lab(rm, node.id, device=device, quick=quick, seed=seed, solution=solution,
                  on_line=lambda s: print(s, flush=True), user=_maybe_user(),
                  recorder=_recorder())
    colour = {"pass": "green", "fail": "red"}.get(run.status, "yellow")
    out.print(f"\n[{colour}]{run.status.upper()}[/] {run.node} in {run.duration_s:.1f} s"
              + (f": {run.message}" if run.message else "") + f"\nlog: {run.log_path}")
    if run.verified:
        out.print("[green]verified:[/] your own solution passed every check.")
    raise typer.Exit(0 if run.status == "pass" else 1)


@lab_app.command("start")
def lab_start(node_id: str,
              dir: Annotated[Path, typer.Option("--dir", help="Where to write it.")] = Path("."),
              force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
              roadmap_dirs: RoadmapDirs = None) -> None:
    """Write a starter file for a lab's exercises (signatures, docstrings, empty bodies)."""
    from graph.starter import make_starter

    rm = _load(roadmap_dirs)
    try:
        node = rm.get(node_id)
        script = rm.lab_path(node.id)
        if script is None or not script.is_file():
            raise fail(f"node {node.id!r} has no lab script yet")
        text = make_starter(script, node.id)
    except RoadmapError as exc:
        raise fail(str(exc)) from None
    target = dir / f"{node.id.replace('-', '_')}_solution.py"
    if target.exists() and not force:
        raise fail(f"{target} exists; use --force to overwrite it")
    dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out.print(f"wrote {target}\nthen: roadmap lab run {node.id} --quick --solution {target}")


def _maybe_user() -> str:
    from graph.progress import current_user

    return current_user(None)


def _recorder():  # type: ignore[no-untyped-def]
    """Record runs in the progress store (it falls back to the JSON-lines history)."""
    from graph.progress import store_recorder

    return store_recorder()


register_progress_commands(app)


def main() -> None:
    """Entry point of the ``roadmap`` console script."""
    try:
        app()
    except RoadmapError as exc:
        err.print(f"[red]error:[/] {exc}", soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
