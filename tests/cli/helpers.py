"""Running ``roadmap`` in-process and reading its output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from graph.cli import app

runner = CliRunner()


def invoke(*args: str | Path) -> Any:
    """The result of ``roadmap ARGS`` (exit code, output, exception)."""
    return runner.invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> str:
    """The output of ``roadmap ARGS``, which must succeed."""
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    return str(r.output)


def one_error(r: Any, code: int = 1) -> str:
    """The command failed with ``code`` and one clear line, no traceback."""
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output and r.exception is None or isinstance(
        r.exception, SystemExit), r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    return lines[0]
