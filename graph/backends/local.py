"""The local backend: a lab as a subprocess of this machine.

The command is ``sys.executable -u labs/x.py --json ... --out ...`` (no shell) in its own
process group, so a timeout or a cancel kills it and everything it started. A learner's
solution runs in the sandbox (:mod:`graph.sandbox`) unless the command opts out; GPU labs
take turns through a machine-wide file lock. The Ray backend's workers run this same
backend (:mod:`graph.remote`), so a lab command is built in one place.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from graph import config
from graph.backends.base import BackendStatus, Emit, LabCommand, Outcome
from graph.sandbox import prepare, sandbox_info

__all__ = ["LocalBackend", "lab_argv", "lab_env"]

MAX_LINE = 8192  # a longer line is split; protects memory from a lab that never prints \n


def lab_argv(command: LabCommand) -> list[str]:
    """The lab's own command line: the interpreter, the lab, its files and its flags."""
    return [sys.executable, "-u", str(command.script), "--json",
            str(command.run_dir / "result.json"), "--out", str(command.run_dir / "out"),
            *command.lab_args]


def lab_env() -> dict[str, str]:
    """The environment a lab runs in: this one, offline, unbuffered, headless plots."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg", "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "PYTHONIOENCODING": "utf-8"}


class LocalBackend:
    """Run labs here, one process each; see the module docstring."""

    url = "local"

    def status(self) -> BackendStatus:
        box = sandbox_info()
        return BackendStatus("local", True, "labs run on this machine; learner code in the "
                             + (box.detail if box.active else f"limits-only mode ({box.detail})"))

    def execute(self, command: LabCommand, out: Emit, cancel: threading.Event | None
                ) -> Outcome:
        """Run the lab to its end, streaming its output to ``out``; never raises."""
        box = sandbox_info() if command.solution is not None and command.sandbox else None
        mode = box.mode if box is not None else "none"
        sha = hashlib.sha256(command.script.read_bytes()).hexdigest()
        if box is not None and command.require_sandbox and not box.active:
            return Outcome("error", None, "learner code runs only in the full sandbox here, "
                           f"and {box.detail}; to fix: {box.fix}", sha, mode)
        argv, env = lab_argv(command), lab_env()
        if box is not None:
            boxed = prepare(argv, run_dir=command.run_dir, readable=[command.labs_dir],
                            env=env, gpu=command.gpu, hide=[config.data_dir()], info=box)
            argv, env = boxed.argv, boxed.env
        with _gpu_lock(command.gpu and command.gpu_lock, out, cancel) as got:
            if not got:
                return Outcome("cancelled", None, "cancelled while waiting for the GPU lock",
                               sha, mode)
            if box is not None:
                out(f"[runner] sandbox: {box.detail}" if box.active else
                    f"[runner] warning: {box.detail}; to fix: {box.fix}")
            out(f"$ {' '.join(argv[argv.index(str(command.script)):])}")
            status, rc, message = _execute(argv, command.run_dir, command.timeout, cancel,
                                           out, env)
        return Outcome(status, rc, message, sha, mode)


def _execute(cmd: list[str], cwd: Path, limit: float, cancel: threading.Event | None,
             out: Callable[[str], None], env: dict[str, str]) -> tuple[str, int | None, str]:
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    except OSError as exc:
        return "error", None, f"could not start the lab: {exc}"
    reader = threading.Thread(target=_pump, args=(proc.stdout, out), daemon=True)
    reader.start()
    deadline = time.monotonic() + limit
    status, message = "finished", ""
    while True:
        try:
            proc.wait(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            pass
        if cancel is not None and cancel.is_set():
            status, message = "cancelled", "cancelled by the user"
        elif time.monotonic() > deadline:
            status, message = "timeout", f"killed after its timeout of {limit:g} s"
        else:
            continue
        _kill_group(proc)
        break
    reader.join(timeout=10)
    if message:
        out(f"[runner] {message}")
    return status, proc.returncode, message


def _pump(stream: Any, out: Callable[[str], None]) -> None:
    buf = b""
    fd = stream.fileno()
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            out(raw.decode("utf-8", "replace").rstrip("\r"))
        while len(buf) > MAX_LINE:
            out(buf[:MAX_LINE].decode("utf-8", "replace"))
            buf = buf[MAX_LINE:]
    if buf:
        out(buf.decode("utf-8", "replace"))
    stream.close()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            # the leader is gone; make sure nothing it started lingers in its group
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def _gpu_lock(needed: bool, out: Callable[[str], None],
              cancel: threading.Event | None) -> Iterator[bool]:
    """Hold the machine-wide GPU lock (a flock file) while a GPU lab runs."""
    if not needed:
        yield True
        return
    path = config.gpu_lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        said = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not said:
                    out("waiting for the GPU lock: another GPU lab is running ...")
                    said = True
                if cancel is not None and cancel.is_set():
                    yield False
                    return
                time.sleep(0.2)
        if said:
            out("got the GPU lock")
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
