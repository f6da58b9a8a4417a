"""The Ray backend: each lab run is a Ray job on a cluster (the Jobs API).

A job's working folder carries this installation's engine (``graph/``), its labs (``labs/``)
and the learner's solution, so the lab that runs, and whose content hash is recorded, is
the one installed here. Its entrypoint is ``python -m graph.remote SPEC`` (:mod:`graph.remote`),
which runs the same command the local backend builds, sandbox included, on the worker. The
job asks for one CPU, and one GPU when the lab runs on CUDA, so Ray's scheduler replaces
the machine's GPU lock across the cluster. Output streams back through the job's log; the
result files and the outcome come back as marked lines at its end.

An unreachable cluster, a cluster that stops answering mid-run, a job that dies, a
timeout and a cancel all end as an :class:`~graph.backends.Outcome`; nothing hangs.

``ray`` is an optional dependency (``pip install 'roadmap-lab[ray]'``); the interpreter the
workers use is ``ROADMAP_RAY_PYTHON`` (default ``python`` on the worker's PATH).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shlex
import shutil
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from graph.backends.base import RAY_URL, BackendStatus, Emit, LabCommand, Outcome
from graph.errors import RoadmapError

__all__ = ["RayBackend", "ClusterUnavailable"]

ENGINE = Path(__file__).resolve().parents[1]  # this installation's graph/ package
POLL_S = 0.5  # how often the job's status is asked for
LOST_AFTER_S = 15.0  # a cluster that has not answered for this long is gone
GRACE_S = 30.0  # past the lab's own timeout (which the worker enforces), the client stops it
BUSY_S = 60.0  # how long a submission is retried while the head's job agent is not up yet
BUSY = "No available agent"  # the head's answer (HTTP 500) until its job agent registers
INSTALL = "pip install 'roadmap-lab[ray]'"


class ClusterUnavailable(RoadmapError):
    """No Ray cluster answers at the configured address (or ray is not installed)."""


class RayBackend:
    """Run labs as Ray jobs on the cluster at ``ray://HOST:PORT`` (its dashboard address)."""

    def __init__(self, url: str) -> None:
        m = RAY_URL.match(url)
        if m is None:
            raise ClusterUnavailable(f"{url!r} is not ray://HOST:PORT")
        self.url = url.rstrip("/")
        self.http = f"http://{m['host']}:{m['port']}"

    # ------------------------------------------------------------------ public
    def status(self) -> BackendStatus:
        """Whether the cluster answers, its Ray version and its resources."""
        try:
            version = self._ping()
            self._client()
        except ClusterUnavailable as exc:
            return BackendStatus(self.url, False, str(exc))
        return BackendStatus(self.url, True, f"Ray {version} answers at {self.url}",
                             self._resources())

    def execute(self, command: LabCommand, out: Emit, cancel: threading.Event | None
                ) -> Outcome:
        """Submit the lab as a job, stream its log, and collect its result; never raises."""
        local_sha = hashlib.sha256(command.script.read_bytes()).hexdigest()
        try:
            client = self._client()
        except ClusterUnavailable as exc:
            return Outcome("error", None, str(exc), local_sha, "none", self.url)
        stage = Path(tempfile.mkdtemp(prefix="roadmap-ray-"))
        try:
            job_id = self._submit(client, command, stage)
        except Exception as exc:  # noqa: BLE001 - the cluster said no: a recorded error
            shutil.rmtree(stage, ignore_errors=True)
            return Outcome("error", None, f"the Ray cluster at {self.url} refused the job: "
                           f"{type(exc).__name__}: {exc}", local_sha, "none", self.url)
        out(f"[runner] Ray job {job_id} submitted to {self.url}"
            + (" (1 GPU)" if command.gpu else ""))
        log = _LogReader(client, job_id, out)
        log.start()
        try:
            status, message = self._wait(client, job_id, command.timeout, cancel, out)
        finally:
            log.join(timeout=15)
            shutil.rmtree(stage, ignore_errors=True)
        if log.broken and status in ("SUCCEEDED", "FAILED", "STOPPED"):
            log.catch_up()
        return self._collect(log, status, message, command, local_sha)

    # ----------------------------------------------------------------- private
    def _ping(self) -> str:
        try:
            with urllib.request.urlopen(f"{self.http}/api/version", timeout=5) as r:
                info = json.loads(r.read().decode() or "{}")
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ClusterUnavailable(f"no Ray cluster answers at {self.url} ({reason}); "
                                     "start one with `ray start --head` or set "
                                     "ROADMAP_RUNNER=local") from None
        return str(info.get("ray_version", "?"))

    def _client(self) -> Any:
        try:
            from ray.job_submission import JobSubmissionClient
        except ImportError:
            raise ClusterUnavailable(f"the Ray backend needs ray: {INSTALL}") from None
        logging.getLogger("ray.dashboard.modules.job.sdk").setLevel(logging.WARNING)
        self._ping()
        try:
            return JobSubmissionClient(self.http)
        except Exception as exc:  # noqa: BLE001 - a cluster that answers oddly
            raise ClusterUnavailable(f"the Ray cluster at {self.url} cannot take jobs: "
                                     f"{exc}") from None

    def _resources(self) -> dict[str, float]:
        try:
            with urllib.request.urlopen(f"{self.http}/api/cluster_status", timeout=5) as r:
                data = json.loads(r.read().decode())["data"]
            usage = data["clusterStatus"]["loadMetricsReport"]["usage"]
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        return {k: float(v[1]) for k, v in usage.items()
                if k in ("CPU", "GPU") and isinstance(v, list) and len(v) == 2}

    def _submit(self, client: Any, command: LabCommand, stage: Path) -> str:
        shutil.copytree(ENGINE, stage / "graph", ignore=_IGNORE)
        shutil.copytree(command.labs_dir, stage / "labs", ignore=_IGNORE)
        spec = {"node": command.node, "script": f"labs/{command.script.name}",
                "lab_args": command.lab_args, "timeout": command.timeout,
                "solution": None, "sandbox": command.sandbox,
                "require_sandbox": command.require_sandbox, "gpu": command.gpu}
        if command.solution is not None:
            shutil.copyfile(command.solution, stage / "solution.py")
            spec["solution"] = "solution.py"
        python = os.environ.get("ROADMAP_RAY_PYTHON", "python")
        deadline = time.monotonic() + BUSY_S
        while True:
            try:
                return str(client.submit_job(
                    entrypoint=(f"{shlex.quote(python)} -m graph.remote "
                                f"{shlex.quote(json.dumps(spec))}"),
                    runtime_env={"working_dir": str(stage),
                                 "env_vars": {"PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1",
                                              "TRANSFORMERS_OFFLINE": "1"}},
                    entrypoint_num_cpus=1, entrypoint_num_gpus=1 if command.gpu else 0,
                    metadata={"roadmap_node": command.node}))
            except RuntimeError as exc:  # a head just started: its job agent registers soon
                if BUSY not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(2)

    def _wait(self, client: Any, job_id: str, timeout: float,
              cancel: threading.Event | None, out: Emit) -> tuple[str, str]:
        """Poll the job to its end; stop it on cancel or past its timeout."""
        last_answer, running_since = time.monotonic(), None
        while True:
            try:
                state = client.get_job_status(job_id)
                last_answer = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - the cluster went away
                if time.monotonic() - last_answer > LOST_AFTER_S:
                    return "error", (f"the Ray cluster at {self.url} stopped answering "
                                     f"during the run ({type(exc).__name__}: {exc})")
                time.sleep(POLL_S)
                continue
            name = str(getattr(state, "value", state))
            if name in ("SUCCEEDED", "FAILED", "STOPPED"):
                return name, ""
            if name == "RUNNING" and running_since is None:
                running_since = time.monotonic()
            why = None
            if cancel is not None and cancel.is_set():
                why = ("cancelled", "cancelled by the user")
            elif running_since is not None and time.monotonic() - running_since > (
                    timeout + GRACE_S):
                why = ("timeout", f"killed after its timeout of {timeout:g} s")
            if why is not None:
                out(f"[runner] stopping Ray job {job_id}: {why[1]}")
                self._stop(client, job_id)
                return why
            time.sleep(POLL_S)

    def _stop(self, client: Any, job_id: str) -> None:
        deadline = time.monotonic() + 20
        try:
            client.stop_job(job_id)
            while time.monotonic() < deadline:
                if str(getattr(client.get_job_status(job_id), "value", "")) in (
                        "STOPPED", "SUCCEEDED", "FAILED"):
                    return
                time.sleep(POLL_S)
        except Exception:  # noqa: BLE001, S110 - the job is gone either way
            return

    def _collect(self, log: _LogReader, status: str, message: str, command: LabCommand,
                 local_sha: str) -> Outcome:
        if status in ("cancelled", "timeout", "error"):
            return Outcome(status, None, message, local_sha, "none", self.url)
        got = log.outcome
        if got is None:
            return Outcome("error", None, f"the Ray job ended {status} without a result"
                           + (f": {log.last_line}" if log.last_line else ""),
                           local_sha, "none", self.url)
        from graph.remote import unpack

        try:
            unpack(log.chunks, str(got["sha256"]), command.run_dir)
        except (ValueError, OSError) as exc:
            return Outcome("error", None, f"the Ray job's result files: {exc}", local_sha,
                           got.get("sandbox", "none"), got.get("where", self.url))
        rc = got.get("returncode")
        return Outcome(str(got["status"]), rc if isinstance(rc, int) else None,
                       str(got.get("message", "")), got.get("lab_sha256"),
                       str(got.get("sandbox", "none")), f"ray:{got.get('where', '?')}")


def _IGNORE(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n in ("__pycache__", "_bundle") or n.endswith(".pyc")]


class _LogReader(threading.Thread):
    """Streams a job's log to ``out``, keeping the marked lines of graph.remote aside."""

    def __init__(self, client: Any, job_id: str, out: Emit) -> None:
        super().__init__(name=f"ray-log-{job_id}", daemon=True)
        self.client, self.job_id, self.out = client, job_id, out
        self.chunks: list[str] = []
        self.outcome: dict[str, Any] | None = None
        self.last_line = ""
        self.broken = False  # the stream ended before the job's log did
        self._buf = ""
        self._seen = 0  # lines handled so far

    def run(self) -> None:
        from graph.remote import MARK

        async def tail() -> None:
            async for text in self.client.tail_job_logs(self.job_id):
                self._buf += text
                *lines, self._buf = self._buf.split("\n")
                for line in lines:
                    self._line(line, MARK)

        try:
            asyncio.run(tail())
        except Exception as exc:  # noqa: BLE001 - the log stream broke: caught up at the end
            self.broken = True
            self.out(f"[runner] the job's log stream broke ({type(exc).__name__}: {exc}); "
                     "the rest of the log follows when the job ends")
            return
        if self._buf:
            self._line(self._buf, MARK)

    def catch_up(self) -> None:
        """After a broken stream: the lines of the job's whole log not handled yet."""
        from graph.remote import MARK

        try:
            text = str(self.client.get_job_logs(self.job_id))
        except Exception as exc:  # noqa: BLE001 - the result is then missing: an error
            self.out(f"[runner] the job's log could not be read: {type(exc).__name__}: {exc}")
            return
        lines = text.split("\n")
        if lines and not lines[-1]:
            lines.pop()  # the log's final newline
        for line in lines[self._seen:]:
            self._line(line, MARK)

    def _line(self, line: str, mark: str) -> None:
        self._seen += 1
        if line.startswith(f"{mark} data "):
            self.chunks.append(line[len(mark) + 6:].strip())
        elif line.startswith(f"{mark} outcome "):
            try:
                self.outcome = json.loads(line[len(mark) + 9:])
            except ValueError:
                self.out("[runner] the job's outcome line was garbled")
        else:
            if line.strip():
                self.last_line = line.strip()[-300:]
            self.out(line.rstrip("\r"))
