"""``roadmap validate|list|show|path|next|export|layout``: check the roadmap, ask it questions,
see how it is drawn."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from graph.cli.common import (
    DoneOpt,
    RoadmapDirs,
    UserOpt,
    done_nodes,
    err,
    fail,
    load,
    out,
)
from graph.loader import read_roadmap
from graph.model import LEVELS
from graph.queries import learning_path, next_up, role_path, stats, unlocks

__all__ = ["commands"]

commands = typer.Typer()


@commands.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Roadmap directories to merge (default: the bundled roadmap).")] = None,
    strict: Annotated[bool, typer.Option(help="A missing lab is an error.")] = False,
) -> None:
    """Check the roadmap: schema, ids, prerequisites, cycles, aliases, lab files."""
    roadmap, problems = read_roadmap(*(paths or []), strict=strict)
    for p in problems:
        err.print(f"[red]error:[/] {p}")
    if roadmap is not None:
        for w in roadmap.warnings:
            err.print(f"[yellow]warning:[/] {w}")
    if problems:
        err.print(f"[red]invalid:[/] {len(problems)} problem(s)")
        raise typer.Exit(1)
    assert roadmap is not None
    s = stats(roadmap)
    out.print(f"[green]valid:[/] {s['nodes']} nodes, {s['edges']} prerequisite edges, "
              f"{len(roadmap.sections)} sections, depth {s['depth']}, {s['labs']} labs"
              + (f", {len(roadmap.roles)} roles" if roadmap.roles else "")
              + (f", {len(roadmap.warnings)} warning(s)" if roadmap.warnings else ""))


@commands.command("list")
def list_(
    section: Annotated[Optional[str], typer.Option("--section", "-s")] = None,
    level: Annotated[Optional[str], typer.Option("--level", "-l")] = None,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """List the nodes, grouped by section."""
    rm = load(roadmap_dirs)
    sections = [rm.section(section)] if section else rm.sections
    if level and level not in LEVELS:
        raise fail(f"unknown level {level!r}; use {', '.join(LEVELS[:-1])} or {LEVELS[-1]}", 2)
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


@commands.command()
def show(node_id: str, roadmap_dirs: RoadmapDirs = None,
         lang: Annotated[str, typer.Option(help="en or es")] = "en") -> None:
    """Show one node: summary, prerequisites, what it unlocks, objectives, resources, lab."""
    rm = load(roadmap_dirs)
    n = rm.get(node_id)
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


@commands.command()
def path(target: Annotated[Optional[str], typer.Argument(
             help="The node to reach (or use --role).")] = None,
         role: Annotated[Optional[str], typer.Option(
             "--role", help="A role profile (roadmap/roles/<id>.yaml): every node it "
                            "targets.")] = None,
         done: DoneOpt = None, user: UserOpt = None,
         roadmap_dirs: RoadmapDirs = None) -> None:
    """What to learn, in order, to reach TARGET or a --role (skipping what you have done)."""
    if (target is None) == (role is None):
        raise fail("give a TARGET node or --role ROLE (one of them)", 2)
    rm = load(roadmap_dirs)
    if role is not None:
        rm.role(role)  # an unknown role fails before the store is opened
        lp = role_path(rm, role, done_nodes(rm, done, user))
        what = f"role {rm.role(role).title}"
    else:
        assert target is not None
        lp = learning_path(rm, target, done_nodes(rm, done, user))
        what = lp.target
    if not lp.steps:
        out.print(f"{what} is already done.")
        return
    table = Table(title=f"path to {what}: {len(lp.steps)} steps, {lp.hours:g} h",
                  title_justify="left")
    for col in ("#", "id", "title", "hours"):
        table.add_column(col)
    for i, nid in enumerate(lp.steps, 1):
        table.add_row(str(i), nid, rm.nodes[nid].title, f"{rm.nodes[nid].estimate_hours:g}")
    out.print(table)


@commands.command("next")
def next_(done: DoneOpt = None, user: UserOpt = None, roadmap_dirs: RoadmapDirs = None,
          limit: Annotated[int, typer.Option(help="How many to show.")] = 10) -> None:
    """What you can start now (all prerequisites done), most unlocking first."""
    rm = load(roadmap_dirs)
    fringe = next_up(rm, done_nodes(rm, done, user))
    table = Table(title="next up", title_justify="left")
    for col in ("id", "title", "unlocks", "leads to", "hours"):
        table.add_column(col)
    for nu in fringe[:limit]:
        table.add_row(nu.node_id, rm.nodes[nu.node_id].title, str(nu.unlocks),
                      str(nu.leads_to), f"{nu.hours:g}")
    out.print(table if fringe else "Nothing left: every node is done.")


@commands.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="json or dot")] = "json",
    output: Annotated[Optional[Path], typer.Option("--output", "-o")] = None,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Export the whole graph as JSON or Graphviz DOT."""
    rm = load(roadmap_dirs)
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


@commands.command()
def layout(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    lang: Annotated[str, typer.Option(help="Language of the wrapped titles (en, es, ...).")
                    ] = "en",
    lanes: Annotated[bool, typer.Option(help="One horizontal band per section.")] = False,
    roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Where the app draws each node (box centres, columns, wrapped titles) and how many
    edges cross; json adds the edge routes and the section groups or lanes."""
    from graph.layout import LayoutOptions, layout_json  # the layout is loaded on first use

    if format not in ("table", "json"):
        raise fail(f"unknown format {format!r}; use table or json", 2)
    rm = load(roadmap_dirs)
    langs = {"en"} | {k for n in rm.nodes.values() for k in n.i18n} | {
        k for s in rm.sections for k in s.i18n}
    if lang not in langs:
        raise fail(f"unknown language {lang!r}; this roadmap has {', '.join(sorted(langs))}", 2)
    data = layout_json(rm, lang, LayoutOptions(lanes=lanes))
    if format == "json":
        sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(data['nodes'])} nodes in {data['layers']} columns, "
                        f"{len(data['edges'])} edges, {data['crossings']} crossings "
                        f"(straight segments between centres); "
                        f"{data['width']:g} x {data['height']:g} px",
                  title_justify="left")
    for col in ("id", "column", "x", "y", "section", "lines", "title"):
        table.add_column(col)
    for n in sorted(data["nodes"], key=lambda n: (n["layer"], n["y"])):
        table.add_row(n["id"], str(n["layer"]), f"{n['x']:g}", f"{n['y']:g}", n["section"],
                      str(len(n["lines"])), " ".join(n["lines"]))
    out.print(table)
