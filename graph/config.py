"""The one place that knows paths and the environment.

Every folder, file and setting that depends on where Roadmap Lab runs is answered here:

=====================  =====================================================================
``ROADMAP_DATA_DIR``   the data folder: database, run logs, GPU lock (``~`` is expanded)
``ROADMAP_DB_URL``     the progress database (default: a SQLite file in the data folder)
``ROADMAP_USER``       whose progress (default: the local profile)
``ROADMAP_DIR``        the roadmap folder (default: the bundled one)
``ROADMAP_NOW``        the clock, an ISO 8601 time (default: the system clock)
``ROADMAP_RUNNER``     where labs run: ``local`` (default) or ``ray://HOST:PORT``
=====================  =====================================================================

The bundled roadmap, labs and app live at the root of a checkout, and in
``graph/_bundle/`` inside an installed wheel; :func:`resource_root` tells which.

Examples
--------
>>> current_user("ana")
'ana'
>>> resolve_db_url("postgresql://u@db/roadmap")
'postgresql+psycopg://u@db/roadmap'
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from graph.errors import ConfigError

__all__ = [
    "DEFAULT_USER",
    "resource_root",
    "bundled_roadmap_dir",
    "labs_dir",
    "app_path",
    "data_dir",
    "runs_dir",
    "gpu_lock_path",
    "solution_path",
    "lab_history_path",
    "default_db_url",
    "resolve_db_url",
    "current_user",
    "runner_url",
    "now",
]

DEFAULT_USER = "local"
APP_NAME = "roadmap-lab"
PACKAGE_DIR = Path(__file__).resolve().parent


def _env_path(name: str) -> Path | None:
    """The path in environment variable ``name``, ``~`` expanded and made absolute."""
    value = os.environ.get(name)
    return Path(value).expanduser().absolute() if value else None


# --------------------------------------------------------------------------- bundled files


def resource_root() -> Path:
    """The folder that holds the bundled ``roadmap/``, ``labs/`` and ``app.py``.

    ``graph/_bundle/`` in an installed wheel (the files are package data there); the
    repository root in a checkout (and in an editable install).
    """
    bundle = PACKAGE_DIR / "_bundle"
    return bundle if bundle.is_dir() else PACKAGE_DIR.parent


def bundled_roadmap_dir() -> Path:
    """The roadmap shipped with Roadmap Lab (``ROADMAP_DIR`` overrides it)."""
    return _env_path("ROADMAP_DIR") or resource_root() / "roadmap"


def labs_dir() -> Path:
    """The bundled labs (``kit.py``, one script per node, ``data/``)."""
    return resource_root() / "labs"


def app_path() -> Path:
    """The Streamlit entry point that ``roadmap app`` runs."""
    return resource_root() / "app.py"


# --------------------------------------------------------------------------- data folder


def data_dir() -> Path:
    """The user's Roadmap Lab data folder (``ROADMAP_DATA_DIR`` overrides it).

    Examples
    --------
    >>> data_dir().is_absolute()
    True
    """
    env = _env_path("ROADMAP_DATA_DIR")
    if env is not None:
        return env
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def runs_dir() -> Path:
    """Where each lab run gets its folder (log, result JSON, artifacts)."""
    return data_dir() / "runs"


def gpu_lock_path() -> Path:
    """The lock file that lets one GPU lab run at a time on this machine."""
    return data_dir() / "gpu.lock"


def solution_path(user: str, node_id: str) -> Path:
    """The learner's solution file for a node: what ``roadmap lab start`` writes and the
    app's Practice tab edits and checks (``<data dir>/solutions/<user>/<node>_solution.py``).

    Examples
    --------
    >>> solution_path("ana", "attention-transformers").name
    'attention_transformers_solution.py'
    """
    return data_dir() / "solutions" / user / f"{node_id.replace('-', '_')}_solution.py"


def lab_history_path() -> Path:
    """The JSON-lines history the runner appends to when the store cannot be written."""
    return data_dir() / "lab-history.jsonl"


# --------------------------------------------------------------------------- database, user


def default_db_url() -> str:
    """``sqlite:///<data dir>/progress.sqlite3``."""
    return f"sqlite:///{data_dir() / 'progress.sqlite3'}"


def resolve_db_url(url: str | None = None) -> str:
    """The database URL: ``url``, else ``ROADMAP_DB_URL``, else the default SQLite file.

    A bare path means a SQLite file; ``postgresql://`` and ``postgres://`` use psycopg 3.

    Examples
    --------
    >>> resolve_db_url("/tmp/p.sqlite3")
    'sqlite:////tmp/p.sqlite3'
    """
    url = url or os.environ.get("ROADMAP_DB_URL") or default_db_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def current_user(user: str | None = None) -> str:
    """The current user: ``user``, else ``ROADMAP_USER``, else the local profile."""
    return user or os.environ.get("ROADMAP_USER") or DEFAULT_USER


def runner_url() -> str:
    """Where labs run: ``ROADMAP_RUNNER`` (``local`` or ``ray://HOST:PORT``), else local."""
    return os.environ.get("ROADMAP_RUNNER", "").strip() or "local"


# --------------------------------------------------------------------------- clock


def now() -> datetime:
    """The current time, timezone-aware UTC; ``ROADMAP_NOW`` (ISO 8601) fixes it.

    Raises
    ------
    ConfigError
        When ``ROADMAP_NOW`` is not an ISO 8601 time.

    Examples
    --------
    >>> import os
    >>> os.environ["ROADMAP_NOW"] = "2025-03-01T12:00:00+01:00"
    >>> now().isoformat()
    '2025-03-01T11:00:00+00:00'
    >>> del os.environ["ROADMAP_NOW"]
    """
    fixed = os.environ.get("ROADMAP_NOW")
    if not fixed:
        return datetime.now(UTC)
    try:
        dt = datetime.fromisoformat(fixed.strip())
    except ValueError:
        raise ConfigError(f"ROADMAP_NOW={fixed!r} is not an ISO 8601 time "
                          "(e.g. 2025-03-01T12:00:00Z); unset it to use the clock") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
