"""The backend interface: a lab command in, an outcome and output lines out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import Protocol

__all__ = ["LabCommand", "Outcome", "BackendStatus", "Backend", "Emit", "RAY_URL"]

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
