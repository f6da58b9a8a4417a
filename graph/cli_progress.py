"""The ``roadmap user``, ``roadmap team`` and ``roadmap progress`` commands.

:func:`register` adds them to the ``roadmap`` app. The current user is ``--user``, then
``ROADMAP_USER``, then the local profile; the database is ``--db``, then
``ROADMAP_DB_URL``, then the SQLite file in the data directory. A problem ends in one clear
line and exit code 1 (2 for a usage error such as an invalid status), never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from graph.errors import RoadmapError, ValidationFailed

if TYPE_CHECKING:  # pragma: no cover
    from graph import progress
    from graph.model import Roadmap

__all__ = ["register", "current_user", "done_for", "user_app", "team_app", "progress_app"]
STATUS_HELP = "todo | learning | done | skipped"


def _p():  # type: ignore[no-untyped-def]
    """graph.progress, imported on first use: SQLAlchemy stays out of `roadmap validate`."""
    from graph import progress

    return progress


def current_user(user_opt: str | None = None) -> str:
    """The current user: ``--user``, then ``ROADMAP_USER``, then the local profile."""
    return _p().current_user(user_opt)  # type: ignore[no-any-return]


def done_for(store: progress.Store, user: str, roadmap: Roadmap | None = None) -> set[str]:
    """Nodes ``user`` has done or skipped (see :func:`graph.progress.done_for`)."""
    return _p().done_for(store, user, roadmap)  # type: ignore[no-any-return]

user_app = typer.Typer(no_args_is_help=True, help="Add, list and rename users.")
team_app = typer.Typer(no_args_is_help=True, help="Teams: members, roles, skill matrix.")
progress_app = typer.Typer(no_args_is_help=True,
                           help="Your progress: set statuses, show it, export and import it.")
out = Console(highlight=False, soft_wrap=True)  # ids and paths stay on one line
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOpt = Annotated[Optional[str], typer.Option(
    "--db", help="Database URL (postgresql://...) or SQLite file; default: ROADMAP_DB_URL, "
                 "then progress.sqlite3 in the data directory.")]
UserOpt = Annotated[Optional[str], typer.Option(
    "--user", "-u", help="Whose progress (default: ROADMAP_USER, then the local profile).")]
RoadmapDirs = Annotated[Optional[list[Path]], typer.Option(
    "--roadmap", "-r", help="Roadmap directory (repeat to merge; default: the bundled one).")]

SYMBOL = {"done": "✓", "learning": "~", "skipped": "-", "todo": "·"}
STYLE = {"done": "green", "learning": "yellow", "skipped": "dim", "todo": "dim"}


def register(app: typer.Typer) -> None:
    """Add the ``user``, ``team`` and ``progress`` sub-commands to ``app``."""
    app.add_typer(user_app, name="user")
    app.add_typer(team_app, name="team")
    app.add_typer(progress_app, name="progress")


@contextmanager
def _errors() -> Iterator[None]:
    """Turn a RoadmapError into one line on stderr and exit 1 (2 for a bad value)."""
    try:
        yield
    except ValidationFailed as exc:
        for p in exc.problems:
            err.print(f"[red]error:[/] {p}", soft_wrap=True)
        err.print(f"{len(exc.problems)} problem(s) in the roadmap; run 'roadmap validate'.")
        raise typer.Exit(1) from None
    except RoadmapError as exc:
        err.print(f"[red]error:[/] {exc}", soft_wrap=True, markup=True)
        raise typer.Exit(2 if isinstance(exc, _p().InvalidStatus) else 1) from None


def _roadmap(dirs: list[Path] | None) -> Roadmap:
    from graph.loader import load_roadmap

    return load_roadmap(*(dirs or []))


@contextmanager
def _store(db: str | None, roadmap: Roadmap | None = None) -> Iterator[progress.Store]:
    store = _p().open_store(db, roadmap=roadmap)
    try:
        yield store
    finally:
        store.close()


def _bar(fraction: float, colour: str, width: int = 24) -> Text:
    full = round(fraction * width)
    bar = Text("█" * full, style=colour)
    bar.append("░" * (width - full), style="dim")
    return bar


# --------------------------------------------------------------------------- user


@user_app.command("add")
def user_add(name: str,
             display_name: Annotated[Optional[str], typer.Option(
                 "--display-name", "-n", help="A name to show (spaces allowed).")] = None,
             db: DbOpt = None) -> None:
    """Add a user."""
    with _errors(), _store(db) as store:
        store.add_user(name, display_name)
    out.print(f"added user {name}")


@user_app.command("list")
def user_list(db: DbOpt = None) -> None:
    """List the users."""
    with _errors(), _store(db) as store:
        users = store.users()
    if not users:
        out.print("No users yet: roadmap user add NAME")
        return
    table = Table(title="users", title_justify="left")
    for col in ("name", "display name", "since"):
        table.add_column(col)
    for u in users:
        table.add_row(u.name, u.display_name or "", u.created_at.date().isoformat())
    out.print(table)


@user_app.command("rename")
def user_rename(old: str, new: str, db: DbOpt = None) -> None:
    """Rename a user; their progress, history and teams follow."""
    with _errors(), _store(db) as store:
        store.rename_user(old, new)
    out.print(f"renamed user {old} to {new}")


# --------------------------------------------------------------------------- team


@team_app.command("add")
def team_add(name: str, user: UserOpt = None, db: DbOpt = None) -> None:
    """Create a team; you (or --user) become its admin."""
    with _errors(), _store(db) as store:
        admin = _p().current_user(user)
        store.add_team(name, admin=admin)
    out.print(f"created team {name} (admin: {admin})")


@team_app.command("join")
def team_join(team: str, user: UserOpt = None,
              role: Annotated[str, typer.Option(help="admin or member")] = "member",
              db: DbOpt = None) -> None:
    """Join a team (or change your role in it)."""
    with _errors(), _store(db) as store:
        name = _p().current_user(user)
        store.join_team(team, name, role)
    out.print(f"{name} is a {role} of team {team}")


@team_app.command("leave")
def team_leave(team: str, user: UserOpt = None, db: DbOpt = None) -> None:
    """Leave a team."""
    with _errors(), _store(db) as store:
        name = _p().current_user(user)
        store.leave_team(team, name)
    out.print(f"{name} left team {team}")


@team_app.command("show")
def team_show(team: str,
              matrix: Annotated[bool, typer.Option(
                  "--matrix", "-m", help="Every member x every node.")] = False,
              db: DbOpt = None, roadmap_dirs: RoadmapDirs = None) -> None:
    """Members and their progress per section, and the nodes nobody has done."""
    with _errors():
        rm = _roadmap(roadmap_dirs)
        with _store(db, rm) as store:
            info = store.team(team)
            m = _p().skill_matrix(rm, store, team)
            uncovered = _p().uncovered_nodes(rm, store, team)
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
            fin = sum(cells[i].status in _p().FINISHED for i in ids)
            row.append(f"{100 * fin / len(ids):.0f}%" if ids else "-")
        fin = sum(c.status in _p().FINISHED for c in cells.values())
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


def _print_matrix(rm: Roadmap, m) -> None:  # type: ignore[no-untyped-def]
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


@team_app.command("who")
def team_who(node: str,
             team: Annotated[Optional[str], typer.Option(
                 "--team", "-t", help="Only members of this team.")] = None,
             db: DbOpt = None, roadmap_dirs: RoadmapDirs = None) -> None:
    """Who can help with NODE: the people who have done it (verified first)."""
    with _errors():
        rm = _roadmap(roadmap_dirs)
        with _store(db, rm) as store:
            node_id = rm.get(node).id
            helpers = _p().who_can_help(rm, store, node_id, team=team)
    if not helpers:
        out.print(f"Nobody{' on team ' + team if team else ''} has done {node_id} yet.")
        return
    for h in helpers:
        tag = " [green](verified by its lab)[/]" if h.verified else ""
        out.print(f"{h.user}: done {h.updated_at.date().isoformat()}{tag}")


# --------------------------------------------------------------------------- progress


@progress_app.command("set")
def progress_set(
    node: str,
    status: Annotated[str, typer.Argument(help=STATUS_HELP)],
    note: Annotated[Optional[str], typer.Option(help="A note (\"\" clears it).")] = None,
    user: UserOpt = None, db: DbOpt = None, roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Set your status of NODE: todo, learning, done or skipped (it never locks anything)."""
    with _errors():
        rm = _roadmap(roadmap_dirs)
        with _store(db, rm) as store:
            ch = store.set_status(_p().current_user(user), node, status, note=note)
    if not ch.changed:
        out.print(f"{ch.user}: {ch.node} is already {ch.new}")
    else:
        out.print(f"{ch.user}: {ch.node} {ch.old or 'todo'} → {ch.new}"
                  + (f" (note: {ch.note})" if note else ""))


@progress_app.command("show")
def progress_show(user: UserOpt = None, db: DbOpt = None,
                  roadmap_dirs: RoadmapDirs = None) -> None:
    """Your progress per section, (done + skipped) / total, and what remains."""
    with _errors():
        rm = _roadmap(roadmap_dirs)
        with _store(db, rm) as store:
            name = _p().current_user(user)
            secs = _p().section_progress(rm, store, name)
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


@progress_app.command("history")
def progress_history(user: UserOpt = None, db: DbOpt = None,
                     limit: Annotated[int, typer.Option(help="How many, newest last.")] = 20
                     ) -> None:
    """Your latest status changes, verified labs and renames."""
    with _errors(), _store(db) as store:
        events = store.events(_p().current_user(user))[-limit:] if limit > 0 else []
    if not events:
        out.print("No history yet.")
    for e in events:
        what = (f"{e.from_status or 'todo'} → {e.to_status}" if e.kind == "status"
                else e.kind if e.kind != "note" else "note")
        note = f"  ({e.note})" if e.note else ""
        out.print(f"{e.at:%Y-%m-%d %H:%M}  {e.node or '':<28} {what}{note}", soft_wrap=True)


@progress_app.command("export")
def progress_export(
    user: UserOpt = None, db: DbOpt = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="File to write (default: standard output).")] = None,
) -> None:
    """Export your statuses, notes, history and lab-run summaries as one JSON file."""
    with _errors(), _store(db) as store:
        name = _p().current_user(user)
        if output is not None:
            store.export_file(name, output)
        else:
            doc = store.export_user(name)
    if output is not None:
        out.print(f"wrote {output}")
    else:
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


@progress_app.command("import")
def progress_import(
    file: Path,
    user: Annotated[Optional[str], typer.Option(
        "--user", "-u", help="Import into this user (default: the one in the file).")] = None,
    allow_unknown: Annotated[bool, typer.Option(
        "--allow-unknown", help="Keep progress on nodes this roadmap lacks, aside.")] = False,
    db: DbOpt = None, roadmap_dirs: RoadmapDirs = None,
) -> None:
    """Import a progress file (all of it, or nothing if anything is wrong)."""
    with _errors():
        rm = _roadmap(roadmap_dirs)
        with _store(db, rm) as store:
            rep = store.import_file(file, user=user, allow_unknown=allow_unknown)
    out.print(f"imported into {rep.user}: {rep.statuses} status(es), {rep.events} event(s), "
              f"{rep.lab_runs} lab run(s)"
              + (f"; {rep.duplicates} already present" if rep.duplicates else ""))
    for old, new in sorted(rep.renamed.items()):
        out.print(f"renamed: {old} → {new}")
    if rep.unknown:
        out.print(f"[yellow]kept aside[/] (not in this roadmap): {', '.join(rep.unknown)}",
                  soft_wrap=True)
