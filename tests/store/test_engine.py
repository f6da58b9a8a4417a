"""The database connection: bad files, unreachable servers, read-only files, concurrent writers."""

from __future__ import annotations

import functools
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from graph import ProgressError, Store
from tests.store.fixtures import *  # noqa: F401,F403 - the fixtures
from tests.store.fixtures import ROOT

FORK = multiprocessing.get_context("fork")  # children inherit the imports: quick to start

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    p = tmp_path / "progress.sqlite3"
    p.write_bytes(b"this is a text file, not SQLite\n" * 100)
    with pytest.raises(ProgressError, match=r"progress.sqlite3 is not a SQLite database"):
        Store(str(p))
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(ProgressError, match="is a directory"):
        Store(str(tmp_path / "dir.sqlite3"))


def test_unreachable_postgresql() -> None:
    with pytest.raises(ProgressError, match="cannot connect to the progress database"):
        Store("postgresql://nobody@127.0.0.1:1/roadmap")
    with pytest.raises(ProgressError, match="unsupported database 'mysql'"):
        Store("mysql://x@localhost/db")


READ_ONLY_CHILD = r"""
import sys
from graph.errors import ProgressError
from graph import Store
try:
    Store(sys.argv[1]).add_user("bob")
except ProgressError as exc:
    print(exc)
    raise SystemExit(3)
"""


@functools.cache
def _as_nobody() -> tuple[list[str], dict]:
    """An interpreter and subprocess options that run this project as an unprivileged user.

    Root may write any file, so a read-only file is only read-only to somebody else. The
    venv's interpreter may live under /root (pyenv); then a system Python of the same
    version is given the venv's packages.
    """
    if os.geteuid() != 0:
        return [sys.executable], {"env": ENV}
    site = [p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix)]
    env = {**ENV, "PYTHONPATH": os.pathsep.join([str(ROOT), *site])}
    kwargs = {"user": 65534, "group": 65534, "extra_groups": [], "env": env}
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for exe in (sys.executable, getattr(sys, "_base_executable", ""), f"/usr/bin/{version}"):
        if not exe:
            continue
        try:
            ok = subprocess.run([exe, "-c", "import graph.store"], cwd="/", timeout=60,
                                capture_output=True, **kwargs).returncode == 0
        except OSError:
            ok = False
        if ok:
            return [exe], kwargs
    return [], {}


def _unprivileged_python() -> tuple[list[str], dict]:
    python, kwargs = _as_nobody()
    if not python:
        pytest.skip("no Python interpreter here can run the project as an unprivileged user")
    return python, kwargs


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_database(what: str) -> None:
    python, kwargs = _unprivileged_python()
    d = Path(tempfile.mkdtemp(prefix="roadmap-ro-"))  # not under pytest's 0700 tmp dirs
    try:
        db = d / "progress.sqlite3"
        with Store(str(db)) as s:
            s.add_user("ana")
        db.chmod(0o444 if what == "file" else 0o644)
        d.chmod(0o777 if what == "file" else 0o755)
        proc = subprocess.run([*python, "-c", READ_ONLY_CHILD, str(db)], cwd="/",
                              capture_output=True, text=True, timeout=60, **kwargs)
        assert proc.returncode == 3, proc.stderr
        assert "read-only" in proc.stdout, proc.stdout
        assert str(db if what == "file" else d) in proc.stdout
    finally:
        d.chmod(0o755)
        for f in d.iterdir():
            f.unlink()
        d.rmdir()


def test_read_only_connection_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite3"
    with Store(str(db)) as s:
        s.add_user("ana")
    with Store(f"sqlite:///file:{db}?mode=ro&uri=true") as ro:
        assert [u.name for u in ro.users()] == ["ana"]  # reading works
        with pytest.raises(ProgressError, match="is read-only: progress cannot be saved"):
            ro.add_user("bob")


WRITER_NODES = ["intro", "tensors", "autograd", "linear", "training", "deploy"]


def _writer(url: str, wid: int, n: int, start, results) -> None:  # type: ignore[no-untyped-def]
    try:
        s = Store(url)
        start.wait()
        t0 = time.time()
        for j in range(n):
            user = f"w{wid}" if j % 2 == 0 else "shared"
            s.set_status(user, WRITER_NODES[j % len(WRITER_NODES)],
                         ("todo", "learning", "done", "skipped")[j % 4], note=f"{wid}:{j}")
        results.put((wid, t0, time.time(), None))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        results.put((wid, 0.0, 0.0, repr(exc)))


def concurrent_writers(url: str, writers: int = 8, n: int = 200) -> tuple[float, list[str]]:
    """Run ``writers`` processes of ``n`` status updates each; return (updates/s, errors).

    Each process updates its own user (even steps) and one shared user (odd steps).
    """
    with Store(url) as s:
        for w in range(writers):
            s.add_user(f"w{w}")
        s.add_user("shared")
    start, results = FORK.Barrier(writers + 1), FORK.Queue()
    procs = [FORK.Process(target=_writer, args=(url, w, n, start, results))
             for w in range(writers)]
    for p in procs:
        p.start()
    start.wait(timeout=60)
    got = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(30)
    errors = [f"writer {w}: {e}" for w, _, _, e in got if e]
    spans = [(a, b) for _, a, b, e in got if not e]
    if not spans:
        return 0.0, errors
    elapsed = max(b for _, b in spans) - min(a for a, _ in spans)
    return writers * n / elapsed, errors


def test_eight_concurrent_writers_lose_nothing(db_url: str, tmp_path: Path) -> None:
    writers, n = 8, 200
    rate, errors = concurrent_writers(db_url, writers, n)
    assert errors == []
    nodes = WRITER_NODES
    with Store(db_url) as s:
        evs = s.events()
        assert len(evs) == writers * n
        assert sorted(e.note for e in evs) == sorted(f"{w}:{j}" for w in range(writers)
                                                     for j in range(n))
        for w in range(writers):  # each own user: the last write of each node
            expected = {nodes[j % len(nodes)]: f"{w}:{j}" for j in range(0, n, 2)}
            assert {k: v.note for k, v in s.statuses(f"w{w}").items()} == expected
        # the shared user's history is one unbroken chain per node: no lost update
        by_node: dict[str, list] = {}
        for e in evs:
            if e.user == "shared":
                by_node.setdefault(e.node, []).append(e)
        shared = s.statuses("shared")
        for node, chain in by_node.items():
            assert chain[0].from_status is None
            for prev, cur in zip(chain, chain[1:], strict=False):
                assert cur.from_status == prev.to_status
            assert shared[node].note == chain[-1].note
    print(f"\n8 writers x 200 updates on {db_url.split(':')[0]}: {rate:.0f} updates/s")
