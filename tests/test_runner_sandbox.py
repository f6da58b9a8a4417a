"""Hostile learner solutions through the runner: each contained, with a clear message.

A solution that loops, forks without end, allocates 30 GB, prints 100 MB, writes outside
its run folder, reads the database, the app's secrets or the environment, opens a socket
to the app's port or kills its parent: the run ends with a status and a message, nothing
outside its run folder changes, no secret reaches the log, and this process (the app)
carries on.
"""

from __future__ import annotations

import os
import socket
import textwrap
import time
from pathlib import Path

import pytest

from graph.runner import LabRun
from graph.sandbox import SandboxInfo, sandbox_info
from tests.test_runner import rm, run  # noqa: F401 - the fixture

FULL = sandbox_info()
needs_bwrap = pytest.mark.skipif(not FULL.active, reason=f"no full sandbox: {FULL.detail}")
SECRET = "hunter2-do-not-leak"


def solve(tmp_path: Path, rm, body: str, **kw) -> LabRun:  # noqa: F811 - rm is the fixture
    sol = tmp_path / "solution.py"
    sol.write_text(textwrap.dedent(body))
    return run(rm, "ok", solution=sol, **kw)


def log_of(r: LabRun) -> str:
    return Path(r.log_path).read_text() if r.log_path else ""


@pytest.fixture
def secrets_around(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """A database, app secrets and an unrelated file, each holding SECRET, outside the run."""
    data = Path(os.environ["ROADMAP_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    files = [data / "progress.sqlite3", tmp_path / ".streamlit" / "secrets.toml",
             tmp_path / "notes.txt"]
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(SECRET)
    monkeypatch.setenv("ROADMAP_DB_URL", f"postgresql://roadmap:{SECRET}@db/roadmap")
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    return files


@needs_bwrap
def test_reading_the_database_secrets_and_environment_finds_nothing(
        rm, tmp_path: Path, secrets_around: list[Path]) -> None:  # noqa: F811
    r = solve(tmp_path, rm, f"""
        import os
        def double(x):
            for p in {[str(p) for p in secrets_around]!r}:
                try:
                    print("READ", open(p).read())
                except OSError as exc:
                    print("cannot read", p, type(exc).__name__)
            print("ENV", sorted(os.environ))
            print("DB", os.environ.get("ROADMAP_DB_URL"))
            return 2 * x
    """)
    log = log_of(r)
    assert r.status == "pass" and r.sandbox == "bubblewrap", (r.message, log[-2000:])
    assert SECRET not in log and "READ" not in log and log.count("cannot read") == 3
    assert "DB None" in log and "GITHUB_TOKEN" not in log


@needs_bwrap
def test_writing_outside_the_run_folder_changes_nothing(
        rm, tmp_path: Path, secrets_around: list[Path]) -> None:  # noqa: F811
    kit = tmp_path / "labs" / "kit.py"
    before = {p: p.read_bytes() for p in [kit, *secrets_around]}
    r = solve(tmp_path, rm, f"""
        def double(x):
            for p in {[str(p) for p in before]!r}:
                try:
                    open(p, "w").write("overwritten")
                    print("WROTE", p)
                except OSError as exc:
                    print("refused", type(exc).__name__)
            open("mine.txt", "w").write("fine")  # the run folder is writable
            return 2 * x
    """)
    assert r.status == "pass", log_of(r)[-2000:]
    assert "WROTE" not in log_of(r)
    assert all(p.read_bytes() == b for p, b in before.items())
    assert (Path(r.log_path).parent / "mine.txt").read_text() == "fine"


@needs_bwrap
def test_a_socket_to_the_apps_own_port_is_refused(rm, tmp_path: Path) -> None:  # noqa: F811
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.5)
    port = server.getsockname()[1]
    try:
        r = solve(tmp_path, rm, f"""
            import socket
            def double(x):
                socket.create_connection(("127.0.0.1", {port}), timeout=3)
                return 2 * x
        """)
        with pytest.raises(TimeoutError):
            server.accept()  # nothing reached the app
    finally:
        server.close()
    assert r.status == "fail", log_of(r)[-2000:]
    assert "ConnectionRefusedError" in r.result["checks"][-1]["message"]


@needs_bwrap
def test_killing_the_parent_fails_and_this_process_carries_on(
        rm, tmp_path: Path) -> None:  # noqa: F811
    r = solve(tmp_path, rm, f"""
        import os, signal
        def double(x):
            for pid in (os.getppid(), {os.getpid()}, 1):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError as exc:
                    print("cannot kill", pid, type(exc).__name__)
            return 2 * x
    """)
    assert r.status == "pass" and log_of(r).count("cannot kill") == 3, log_of(r)[-2000:]


@needs_bwrap
def test_a_fork_bomb_is_stopped_and_leaves_nothing_behind(rm, tmp_path: Path) -> None:  # noqa: F811
    t0 = time.monotonic()
    r = solve(tmp_path, rm, """
        import os, time
        def double(x):
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    children += 1
            except OSError as exc:
                raise RuntimeError(f"fork refused after {children} children: {exc}")
    """, timeout_s=30)
    assert time.monotonic() - t0 < 60
    assert r.status in ("fail", "timeout"), (r.status, r.message)
    if r.status == "fail":
        assert "fork refused after" in r.result["checks"][-1]["message"]
    time.sleep(1)
    mine = str(Path(r.log_path).parent).encode()  # this run's folder, in its command line
    sleepers = [p for p in Path("/proc").glob("[0-9]*/cmdline") if mine in _read(p)]
    assert not sleepers, "processes of the run outlived it"


def _read(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except OSError:
        return b""


def test_thirty_gigabytes_is_a_failed_check_not_a_dead_machine(rm, tmp_path: Path) -> None:  # noqa: F811
    r = solve(tmp_path, rm, """
        def double(x):
            block = bytearray(30 * 2**30)
            return 2 * x + len(block)
    """)
    assert r.status == "fail", (r.status, log_of(r)[-2000:])
    assert "MemoryError" in r.result["checks"][-1]["message"]


def test_an_endless_loop_ends_at_the_timeout(rm, tmp_path: Path) -> None:  # noqa: F811
    r = solve(tmp_path, rm, """
        def double(x):
            while True:
                pass
    """, timeout_s=3)
    assert r.status == "timeout" and "killed after its timeout of 3 s" in r.message


def test_a_hundred_megabytes_of_output_keeps_the_log_bounded(rm, tmp_path: Path) -> None:  # noqa: F811
    r = solve(tmp_path, rm, """
        import sys
        def double(x):
            line = "z" * 1023 + "\\n"
            for _ in range(100 * 1024):
                sys.stdout.write(line)
            return 2 * x
    """, timeout_s=120)
    assert r.status == "pass", r.message
    assert Path(r.log_path).stat().st_size <= 17 * 2**20


def test_require_sandbox_refuses_without_bubblewrap(rm, tmp_path: Path,  # noqa: F811
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("graph.backends.local.sandbox_info", lambda: SandboxInfo(
        False, "limits-only", "bwrap not found", "install bubblewrap"))
    r = solve(tmp_path, rm, "def double(x):\n    return 2 * x\n", require_sandbox=True)
    assert r.status == "error"
    assert "only in the full sandbox" in r.message and "install bubblewrap" in r.message
    r = solve(tmp_path, rm, "def double(x):\n    return 2 * x\n")
    assert r.status == "pass" and r.sandbox == "limits-only"
    assert any("warning: bwrap not found" in line for line in r.tail)


def test_no_sandbox_runs_with_your_own_environment(rm, tmp_path: Path,  # noqa: F811
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROADMAP_MARKER", "mine")
    r = solve(tmp_path, rm, """
        import os
        def double(x):
            print("MARKER", os.environ.get("ROADMAP_MARKER"))
            return 2 * x
    """, sandbox=False)
    assert r.status == "pass" and r.sandbox == "none" and "MARKER mine" in log_of(r)


def test_a_run_records_the_lab_hash_and_seed(rm, tmp_path: Path) -> None:  # noqa: F811
    import hashlib

    r = solve(tmp_path, rm, "def double(x):\n    return 2 * x\n", seed=5)
    lab = tmp_path / "labs" / "ok.py"
    assert r.lab_sha256 == hashlib.sha256(lab.read_bytes()).hexdigest() and r.seed == 5
    assert (Path(r.log_path).parent / "solution.py").read_text().endswith("return 2 * x\n")
