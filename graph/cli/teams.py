"""``roadmap team add|join|leave|show|who``: teams, their skill matrix, who can help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

import graph
from graph.cli.common import DbOpt, RoadmapDirs, UserOpt, load, open_store, out
from graph.config import current_user
from graph.model import FINISHED, Roadmap

if TYPE_CHECKING:  # pragma: no cover
    from graph.store import SkillMatrix

__all__ = ["commands"]

commands = typer.Typer(no_args_is_help=True, help="Teams: members, roles, skill matrix.")
SYMBOL = {"done": "✓", "learning": "~", "skipped": "-", "todo": "·"}
STYLE = {"done": "green", "learning": "yellow", "skipped": "dim", "todo": "dim"}


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


@commands.command("show")
def team_show(team: str,
              matrix: Annotated[bool, typer.Option(
                  "--matrix", "-m", help="Every member x every node.")] = False,
              db: DbOpt = None, roadmap_dirs: RoadmapDirs = None) -> None:
    """Members and their progress per section, and the nodes nobody has done."""
    rm = load(roadmap_dirs)
    with open_store(db, rm) as store:
        info = store.team(team)
        m = graph.skill_matrix(rm, store, team)
        uncovered = graph.uncovered_nodes(rm, store, team)
    role = {mb.name: mb.role for mb in info.members}
    table = Table(title=f"team {team}: {len(info.members)} member(s)", title_justify="left")
    table.add_column("member")
    table.add_column("role")
    for s in rm.sections:
        table.add_column(s.id, justify="right")
    table.add_column("all", justify="right")
    table.add_column("verified", justify="right")
    for member in m.members:
        cells = {n: c for n, c in zip(m.nodes, m.row(member), strict=True)}
        row = [member, role.get(member, "")]
        for s in rm.sections:
            ids = [n.id for n in rm.in_section(s.id)]
            fin = sum(cells[i].status in FINISHED for i in ids)
            row.append(f"{100 * fin / len(ids):.0f}%" if ids else "-")
        fin = sum(c.status in FINISHED for c in cells.values())
        row.append(f"{100 * fin / len(m.nodes):.0f}%" if m.nodes else "-")
        row.append(str(sum(c.verified for c in cells.values())))
        table.add_row(*row)
    out.print(table)
    if matrix:
        _print_matrix(rm, m)
    if uncovered:
        out.print(f"[bold]nobody has done ({len(uncovered)}):[/] {', '.join(uncovered)}",
                  soft_wrap=True)
    else:
        out.print("Every node is done by someone on the team.")


def _print_matrix(rm: Roadmap, m: SkillMatrix) -> None:
    for s in rm.sections:
        ids = [n.id for n in rm.in_section(s.id)]
        if not ids:
            continue
        table = Table(title=s.title, title_justify="left")
        table.add_column("node")
        for member in m.members:
            table.add_column(member, justify="center")
        for nid in ids:
            row: list[Text | str] = [nid]
            for member in m.members:
                c = m.cell(member, nid)
                sym = "★" if c.verified else SYMBOL[c.status]
                row.append(Text(sym, style="bold green" if c.verified else STYLE[c.status]))
            table.add_row(*row)
        out.print(table)
    out.print("★ verified by a lab  ✓ done  ~ learning  - skipped  · todo")


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
