"""Learner code in the sandbox: no network, no secrets, read-only code, bounded resources."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.sandbox import Limits, SandboxInfo, prepare, sandbox_info

LABS = Path(__file__).resolve().parents[1] / "labs"
FULL = sandbox_info()
needs_bwrap = pytest.mark.skipif(not FULL.active, reason=f"no full sandbox: {FULL.detail}")
LIMITS_ONLY = SandboxInfo(False, "limits-only", "forced for this test")


def run_code(tmp: Path, code: str, *, info: SandboxInfo | None = None,
             limits: Limits | None = None, hide=(), env=None, timeout=60) -> tuple[int, str]:
    run_dir = tmp / "run"
    run_dir.mkdir(exist_ok=True)
    script = run_dir / "snippet.py"
    script.write_text(textwrap.dedent(code))
    p = prepare([sys.executable, str(script)], run_dir=run_dir, readable=[LABS],
                env=env if env is not None else dict(os.environ), limits=limits, hide=hide,
                info=info)
    proc = subprocess.run(p.argv, env=p.env, cwd=p.cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


def test_the_environment_is_scrubbed_of_secrets(tmp_path: Path) -> None:
    env = {**os.environ, "ROADMAP_DB_URL": "postgresql://u:hunter2@db/x",
           "GITHUB_TOKEN": "ghp_secret", "AWS_SECRET_ACCESS_KEY": "aws"}
    for info in (None, LIMITS_ONLY):
        code, out = run_code(tmp_path, """
            import os
            print(sorted(k for k in os.environ if "SECRET" in k or "TOKEN" in k or "DB" in k))
            print(os.environ["HOME"])
        """, env=env, info=info)
        assert code == 0, out
        assert "[]" in out and "hunter2" not in out and "ghp_" not in out
        assert str((tmp_path / "run").resolve()) in out


def test_a_huge_allocation_fails_inside_the_run(tmp_path: Path) -> None:
    for info in (None, LIMITS_ONLY):
        code, out = run_code(tmp_path, """
            try:
                block = bytearray(30 * 2**30)
            except MemoryError:
                print("MemoryError")
        """, info=info, limits=Limits(memory_bytes=2 * 2**30))
        assert code == 0 and "MemoryError" in out, out


def test_a_file_larger_than_the_limit_cannot_be_written(tmp_path: Path) -> None:
    code, out = run_code(tmp_path, """
        try:
            with open("big.bin", "wb") as f:
                for _ in range(40):
                    f.write(b"x" * 2**20)
        except OSError as exc:
            print("stopped:", exc.errno)
    """, limits=Limits(file_bytes=8 * 2**20))
    assert code == 0 and "stopped: 27" in out, out  # EFBIG
    assert (tmp_path / "run" / "big.bin").stat().st_size <= 8 * 2**20


@needs_bwrap
def test_no_network_not_even_the_apps_own_port(tmp_path: Path) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    try:
        code, out = run_code(tmp_path, f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2)
                print("connected")
            except OSError as exc:
                print("refused:", type(exc).__name__)
        """)
    finally:
        server.close()
    assert code == 0 and "refused" in out and "connected" not in out, out


@needs_bwrap
def test_data_home_and_secrets_are_not_visible(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "progress.db").write_text("the database")
    streamlit = tmp_path / ".streamlit"
    streamlit.mkdir()
    (streamlit / "secrets.toml").write_text("client_secret = 'x'")
    code, out = run_code(tmp_path, f"""
        import os
        for p in [{str(data / "progress.db")!r}, {str(streamlit / "secrets.toml")!r},
                  os.path.expanduser("~root/.bashrc")]:
            try:
                open(p).read()
                print("READ", p)
            except OSError as exc:
                print("hidden:", type(exc).__name__)
    """)
    assert code == 0 and "READ" not in out, out
    assert out.count("hidden:") == 3


@needs_bwrap
def test_a_hidden_folder_inside_a_readable_one_stays_hidden(tmp_path: Path) -> None:
    labs = tmp_path / "labs"
    (labs / "data").mkdir(parents=True)
    (labs / "data" / "secret.txt").write_text("s3cret")
    (labs / "kit.py").write_text("# kit\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "s.py").write_text("import os\nprint(os.listdir(%r), os.listdir(%r))\n"
                                  % (str(labs), str(labs / "data")))
    p = prepare([sys.executable, str(run_dir / "s.py")], run_dir=run_dir, readable=[labs],
                env={}, hide=[labs / "data"])
    out = subprocess.run(p.argv, env=p.env, cwd=p.cwd, capture_output=True, text=True,
                         timeout=60).stdout
    assert "kit.py" in out and "secret.txt" not in out, out


@needs_bwrap
def test_code_is_read_only_and_only_the_run_folder_is_writable(tmp_path: Path) -> None:
    code, out = run_code(tmp_path, f"""
        import os
        for p in [{str(LABS / "kit.py")!r}, {str(LABS / "new.py")!r}, {sys.executable!r}]:
            try:
                open(p, "a").close()
                print("WROTE", p)
            except OSError as exc:
                print("read-only:", type(exc).__name__)
        open("result.json", "w").write("{{}}")
        open("/tmp/scratch", "w").write("gone after the run")
        print("run folder ok")
    """)
    assert code == 0 and "WROTE" not in out and "run folder ok" in out, out
    assert (tmp_path / "run" / "result.json").is_file()
    assert not (LABS / "new.py").exists()


@needs_bwrap
def test_a_fork_bomb_is_stopped_and_the_host_is_fine(tmp_path: Path) -> None:
    code, out = run_code(tmp_path, """
        import os, time
        n = 0
        try:
            while n < 5000:
                if os.fork() == 0:
                    time.sleep(3)
                    os._exit(0)
                n += 1
        except OSError as exc:
            print("fork refused after", n, type(exc).__name__)
    """, limits=Limits(processes=40), timeout=120)
    assert "fork refused after" in out, out
    assert int(out.split("after")[1].split()[0]) <= 40


@needs_bwrap
def test_the_parent_process_cannot_be_seen_or_killed(tmp_path: Path) -> None:
    code, out = run_code(tmp_path, f"""
        import os, signal
        try:
            os.kill({os.getpid()}, signal.SIGKILL)
            print("KILLED")
        except OSError as exc:
            print("cannot:", type(exc).__name__)
        print("pid", os.getpid(), "uid", os.getuid())
    """)
    assert code == 0 and "KILLED" not in out and "cannot:" in out, out
    if os.geteuid() == 0:
        assert "uid 65534" in out, out  # root dropped to nobody inside


@needs_bwrap
def test_a_real_lab_runs_in_the_sandbox(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    p = prepare([sys.executable, str(LABS / "calculus.py"), "--quick", "--json",
                 str(run_dir / "result.json"), "--out", str(run_dir / "out")],
                run_dir=run_dir, readable=[LABS], env=env)
    proc = subprocess.run(p.argv, env=p.env, cwd=p.cwd, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert (run_dir / "result.json").is_file()


def test_sandbox_info_explains_itself() -> None:
    info = sandbox_info()
    assert info.mode in ("bubblewrap", "limits-only") and info.detail
    assert info.active == (info.mode == "bubblewrap")
    if not info.active:
        assert info.fix
