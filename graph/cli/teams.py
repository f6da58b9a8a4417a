"""``roadmap team add|join|leave|show|who``: teams, their evidence and coverage, who can help."""

from __future__ import annotations

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
from graph.model import FINISHED, Roadmap

if TYPE_CHECKING:  # pragma: no cover
    from graph.coverage import RoleGap
    from graph.evidence import TeamLedger
    from graph.store import Member, SkillMatrix

__all__ = ["commands", "TEAM_FORMATS"]

commands = typer.Typer(no_args_is_help=True, help="Teams: members, roles, skill matrix.")


@commands.command("add")
def team_add(name: str, user: UserOpt = None, db: DbOpt = None) -> None:
    """Create a team; you (or --user) become its admin."""
    with open_store(db) as store:
        admin = current_user(user)
        store.add_team(name, admin=admin)
    out.print(f"created team {name} (admin: {admin})")


@commands.command("join")
def team_join(team: str, user: UserOpt = None,
              role: Annotated[str, typer.Option(help="admin or member")] = "member",
              db: DbOpt = None) -> None:
    """Join a team (or change your role in it)."""
    with open_store(db) as store:
        name = current_user(user)
        store.join_team(team, name, role)
    out.print(f"{name} is a {role} of team {team}")


@commands.command("leave")
def team_leave(team: str, user: UserOpt = None, db: DbOpt = None) -> None:
    """Leave a team."""
    with open_store(db) as store:
        name = current_user(user)
        store.leave_team(team, name)
    out.print(f"{name} left team {team}")


TEAM_FORMATS = ("table", "csv", "xlsx")
EVIDENCE_SYMBOL = {"verified": "★", "stale": "☆", "invalidated": "!", "inferred": "^",
                   "claimed": "✓", "none": "·"}


@commands.command("show")
def team_show(team: str,
              matrix: Annotated[bool, typer.Option(
                  "--matrix", "-m", help="Every member x every node, by evidence.")] = False,
              format: Annotated[str, typer.Option(
                  "--format", "-f", help="table, csv or xlsx (a row per node: coverage, "
                                         "then each member's evidence)")] = "table",
              output: Annotated[Optional[Path], typer.Option(
                  "--output", "-o", help="File to write (csv: default standard output; "
                                         "xlsx: required).")] = None,
              role: Annotated[Optional[str], typer.Option(
                  "--role", help="Each member's gap to this role profile.")] = None,
              db: DbOpt = None, roadmap_dirs: RoadmapDirs = None) -> None:
    """Members, their progress and evidence, and the team's coverage of each node.

    Coverage: how many members hold a fresh verified pass of each node, the nodes only one
    member holds (bus factor 1), those held only by stale evidence, and those nobody
    covers (no pass, no inference, no claim).
    """
    if format not in TEAM_FORMATS:
        raise fail(f"unknown format {format!r}; use {', '.join(TEAM_FORMATS)}", 2)
    if format == "xlsx" and output is None:
        raise fail("--format xlsx needs --output FILE.xlsx", 2)
    if output is not None and not output.parent.is_dir():  # before any work
        raise fail(f"{output}: the folder {output.parent} does not exist; nothing was written")
    rm = load(roadmap_dirs)
    if role is not None:
        rm.role(role)
    with open_store(db, rm) as store:
        info = store.team(team)
        ledger = graph.team_ledger(rm, store, team)
        gaps = graph.role_gaps(rm, store, team, role, ledger) if role else []
        m = graph.skill_matrix(rm, store, team) if format == "table" else None
    if format != "table":
        header, rows = graph.coverage_table(rm, ledger)
        if output is None:
            sys.stdout.write(graph.table_bytes(header, rows, "csv").decode("utf-8"))
            return
        graph.write_table(output, header, rows, format, sheet=f"team {team}",
                          fills=graph.EVIDENCE_COLOURS)
        out.print(f"wrote {output} ({len(rows)} nodes x {len(ledger.members)} members)")
        return
    assert m is not None
    _members_table(rm, team, info.members, m, ledger)
    if matrix:
        _print_matrix(rm, ledger)
    _coverage(ledger)
    if gaps:
        _gaps(rm, gaps)


def _members_table(rm: Roadmap, team: str, members: list[Member], m: SkillMatrix,
                   ledger: TeamLedger) -> None:
    role = {mb.name: mb.role for mb in members}
    table = Table(title=f"team {team}: {len(members)} member(s)", title_justify="left")
    table.add_column("member")
    table.add_column("role")
    for s in rm.sections:
        table.add_column(s.id, justify="right")
    for col in ("all", "verified", "stale", "claimed"):
        table.add_column(col, justify="right")
    for member in m.members:
        cells = {n: c for n, c in zip(m.nodes, m.row(member), strict=True)}
        row = [member, role.get(member, "")]
        for s in rm.sections:
            ids = [n.id for n in rm.in_section(s.id)]
            fin = sum(cells[i].status in FINISHED for i in ids)
            row.append(f"{100 * fin / len(ids):.0f}%" if ids else "-")
        fin = sum(c.status in FINISHED for c in cells.values())
        row.append(f"{100 * fin / len(m.nodes):.0f}%" if m.nodes else "-")
        words = ledger.row(member)
        row += [str(words.count(w)) for w in ("verified", "stale", "claimed")]
        table.add_row(*row)
    out.print(table)


def _coverage(ledger: TeamLedger) -> None:
    cov = ledger.coverage
    single = [f"{c.node} ({c.holders[0]})" for c in cov if c.bus_factor_1]
    stale = [c.node for c in cov if c.stale_only]
    nobody = [c.node for c in cov if c.uncovered]
    held = sum(1 for c in cov if c.verified)
    out.print(f"[bold]verified by someone:[/] {held}/{len(cov)} nodes")
    for title, items in (("bus factor 1 (one verified holder)", single),
                         ("held only by stale evidence", stale), ("nobody covers", nobody)):
        out.print(f"[bold]{title} ({len(items)}):[/] {', '.join(items) or '-'}",
                  soft_wrap=True)


def _gaps(rm: Roadmap, gaps: list[RoleGap]) -> None:
    role = rm.role(gaps[0].role)
    table = Table(title=f"gap to {role.title} ({gaps[0].total} nodes)", title_justify="left")
    for col in ("member", "steps left", "hours left", "verified", "next"):
        table.add_column(col, justify="left" if col in ("member", "next") else "right")
    for g in sorted(gaps, key=lambda g: (g.hours, g.member)):
        table.add_row(g.member, str(len(g.steps)), f"{g.hours:g}",
                      f"{g.verified}/{g.total}", ", ".join(g.steps[:3]) or "done")
    out.print(table)


def _print_matrix(rm: Roadmap, ledger: TeamLedger) -> None:
    for s in rm.sections:
        ids = [n.id for n in rm.in_section(s.id)]
        if not ids:
            continue
        table = Table(title=s.title, title_justify="left")
        table.add_column("node")
        for member in ledger.members:
            table.add_column(member, justify="center")
        for nid in ids:
            row: list[Text | str] = [nid]
            for member in ledger.members:
                word = ledger.evidence(member, nid)
                row.append(Text(EVIDENCE_SYMBOL[word], style=EVIDENCE_STYLE[word]))
            table.add_row(*row)
        out.print(table)
    out.print("★ verified  ☆ stale  ! invalidated (lab changed)  ^ inferred  ✓ claimed  · none")


@commands.command("who")
def team_who(node: str,
             team: Annotated[Optional[str], typer.Option(
                 "--team", "-t", help="Only members of this team.")] = None,
             db: DbOpt = None, roadmap_dirs: RoadmapDirs = None) -> None:
    """Who can help with NODE: the people who have done it (verified first)."""
    rm = load(roadmap_dirs)
    with open_store(db, rm) as store:
        node_id = rm.get(node).id
        helpers = graph.who_can_help(rm, store, node_id, team=team)
    if not helpers:
        out.print(f"Nobody{' on team ' + team if team else ''} has done {node_id} yet.")
        return
    for h in helpers:
        tag = " [green](verified by its lab)[/]" if h.verified else ""
        out.print(f"{h.user}: done {h.updated_at.date().isoformat()}{tag}")
