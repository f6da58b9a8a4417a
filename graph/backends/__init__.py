"""Where a lab runs: the local machine (default) or a Ray cluster, behind one interface.

:func:`graph.runner.run_lab` decides *what* runs (the node, its lab, the flags, the
learner's solution copied into the run folder) and records *how it ended*; a backend only
executes one :class:`LabCommand` and reports an :class:`Outcome`, streaming output lines to
a callback as they arrive.

================  =========================================================================
``local``         a subprocess on this machine: the sandbox around learner code, one GPU
                  lab at a time (a file lock), the timeout and cancel kill its process group
``ray://H:P``     a Ray job on a cluster (the Jobs API at the dashboard's address): the same
                  command runs on a worker, sandbox included; Ray's scheduler hands out GPUs
================  =========================================================================

``ROADMAP_RUNNER`` (or ``--runner``) picks one; :func:`backend_for` builds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import Protocol

from graph.errors import ConfigError

__all__ = ["LabCommand", "Outcome", "BackendStatus", "Backend", "backend_for", "RAY_URL"]

RAY_URL = re.compile(r"^ray://(?P<host>[A-Za-z0-9_.\-\[\]:]+):(?P<port>\d{1,5})/?$")


@dataclass
class LabCommand:
    """One lab run to execute: the lab, its flags, where its files go, and its limits.

    ``lab_args`` are the lab's own flags (``--device``, ``--seed``, ``--quick``, and
    ``--solution <file>`` naming ``solution``); the backend adds ``--json`` and ``--out``.
    """

    node: str
    script: Path  # the lab file, inside its labs folder
    run_dir: Path  # this run's folder here: log, result.json, out/, solution.py
    lab_args: list[str]
    timeout: float
    solution: Path | None = None  # the learner's file (a copy inside run_dir)
    sandbox: bool = True  # run the learner's solution in the sandbox
    require_sandbox: bool = False  # ... and only in the full one
    gpu: bool = False  # the run uses a GPU: one at a time here, num_gpus=1 on Ray
    gpu_lock: bool = True  # take this machine's GPU lock (not on a Ray worker)

    @property
    def labs_dir(self) -> Path:
        return self.script.parent


@dataclass
class Outcome:
    """How the execution ended; ``status`` is "finished" when the lab exited by itself."""

    status: str  # "finished" | "timeout" | "cancelled" | "error"
    returncode: int | None = None
    message: str = ""
    lab_sha256: str | None = None  # the hash of the lab file that actually ran
    sandbox: str = "none"  # "bubblewrap" | "limits-only" | "none"
    where: str = "local"  # the machine it ran on


@dataclass
class BackendStatus:
    """Which backend is active and whether it answers, for the System page and the CLI."""

    name: str
    answers: bool
    detail: str
    resources: dict[str, float] = field(default_factory=dict)


Emit = Callable[[str], None]


class Backend(Protocol):
    """What a lab-run backend does."""

    url: str

    def execute(self, command: LabCommand, out: Emit, cancel: Event | None) -> Outcome:
        """Run ``command`` to its end, calling ``out`` with each output line; never raise."""
        ...

    def status(self) -> BackendStatus:
        """Whether the backend can run labs now, in one line."""
        ...


def backend_for(url: str | None = None) -> Backend:
    """The backend for ``url``: ``local`` (also None or empty) or ``ray://HOST:PORT``.

    Raises
    ------
    ConfigError
        For any other value, saying what is accepted.

    Examples
    --------
    >>> backend_for("local").url
    'local'
    >>> backend_for("ray://head.internal:8265").url
    'ray://head.internal:8265'
    """
    url = (url or "local").strip()
    if url == "local":
        from graph.backends.local import LocalBackend

        return LocalBackend()
    if RAY_URL.match(url):
        from graph.backends.ray import RayBackend

        return RayBackend(url)
    raise ConfigError(f"ROADMAP_RUNNER / --runner {url!r}: use 'local' or 'ray://HOST:PORT' "
                      "(the Ray dashboard's address, e.g. ray://127.0.0.1:8265)")
