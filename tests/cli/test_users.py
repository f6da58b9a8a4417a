"""``roadmap user``, and a database that cannot be opened."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import invoke, ok, one_error


def test_user_add_list_rename(env: str) -> None:
    assert "added user ana" in ok("user", "add", "ana", "--display-name", "Ana Pérez")
    ok("user", "add", "bob")
    listing = ok("user", "list")
    assert "ana" in listing and "Ana Pérez" in listing and "bob" in listing
    assert "renamed user bob to rob" in ok("user", "rename", "bob", "rob")
    assert "already exists" in one_error(invoke("user", "add", "ana"))
    assert "unknown user id 'bobb'" in one_error(invoke("user", "rename", "bobb", "x"))


def test_bad_database_is_one_clear_line(env: str, tmp_path: Path) -> None:
    p = tmp_path / "junk.sqlite3"
    p.write_text("definitely not sqlite\n" * 50)
    line = one_error(invoke("user", "list", "--db", p))
    assert "is not a SQLite database" in line
    line = one_error(invoke("user", "list", "--db", "postgresql://x@127.0.0.1:1/none"))
    assert "cannot connect to the progress database" in line
