"""``roadmap user add|list|rename``: the profiles progress is recorded under."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from graph.cli.common import DbOpt, open_store, out

__all__ = ["commands"]

commands = typer.Typer(no_args_is_help=True, help="Add, list and rename users.")


@commands.command("add")
def user_add(name: str,
             display_name: Annotated[Optional[str], typer.Option(
                 "--display-name", "-n", help="A name to show (spaces allowed).")] = None,
             db: DbOpt = None) -> None:
    """Add a user."""
    with open_store(db) as store:
        store.add_user(name, display_name)
    out.print(f"added user {name}")


@commands.command("list")
def user_list(db: DbOpt = None) -> None:
    """List the users."""
    with open_store(db) as store:
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


@commands.command("rename")
def user_rename(old: str, new: str, db: DbOpt = None) -> None:
    """Rename a user; their progress, history and teams follow."""
    with open_store(db) as store:
        store.rename_user(old, new)
    out.print(f"renamed user {old} to {new}")
