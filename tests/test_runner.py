"""The lab runner: every outcome is a LabRun with the right status; nothing raises."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from graph import load_roadmap
from graph.runner import MAX_LOG_BYTES, LabRun, read_history, run_lab, start_lab

from .factory import make, node_yaml

KIT = Path(__file__).resolve().parents[1] / "labs" / "kit.py"

LABS = {
    "ok": """
        import kit
        EXERCISES = ("double",)
        def double(x):
            '''Return 2 * x.'''
            return 2 * x
        def body(lab):
            lab.log("working")
            lab.check_equal("double(21)", double(21), 42)
        raise SystemExit(kit.run("ok", body, globals()))
        """,
    "failing": """
        import kit
        def body(lab):
            lab.check_equal("wrong", 1, 2)
        raise SystemExit(kit.run("failing", body, globals()))
        """,
    "crash": """
        import kit
        def body(lab):
            raise RuntimeError("boom")
        raise SystemExit(kit.run("crash", body, globals()))
        """,
    "segv": """
        import os, signal
        print("about to die", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """,
    "hang": """
        import subprocess, sys, time
        # a child in the same process group must die with the lab
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print("child", child.pid, flush=True)
        while True:
            time.sleep(1)
        """,
    "loud": """
        import sys
        line = "x" * 1023 + "\\n"
        for _ in range(50 * 1024):  # 50 MiB
            sys.stdout.write(line)
        sys.stdout.write("y" * 100000)  # a long last line without a newline
        sys.stdout.flush()
        """,
    "gpu": """
        import time
        print("gpu lab start", flush=True)
        time.sleep(1.5)
        print("gpu lab end", flush=True)
        """,
    "needs": """
        print("never runs")
        """,
    "optional": """
        import kit
        EXERCISES = ("double",)
        def double(x):
            '''Return 2 * x.'''
            return 2 * x
        def body(lab):
            lab.skip("the optional framework is not installed", "pip install framework")
        raise SystemExit(kit.run("optional", body, globals()))
        """,
}


@pytest.fixture()
def rm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    files = {f"basics/{n}.yaml": node_yaml(n) for n in LABS}
    root = make(tmp_path, files)
    labs = tmp_path / "labs"
    (labs / "kit.py").write_text(KIT.read_text())
    for name, src in LABS.items():
        (labs / f"{name}.py").write_text(textwrap.dedent(src))
    for name, patch in {"hang": "timeout_s: 30", "gpu": 'gpu: "required"'}.items():
        p = root / "basics" / f"{name}.yaml"
        p.write_text(p.read_text().replace('gpu: "no", timeout_s: 30',
                                           patch if name == "gpu" else 'timeout_s: 2')
                     .replace("timeout_s: 30}", "timeout_s: 30}"))
    p = root / "basics" / "needs.yaml"
    p.write_text(p.read_text().replace("timeout_s: 30}", "timeout_s: 30, requires: [numpy, "
                                                         "no_such_module_xyz]}"))
    return load_roadmap(root)


def run(rm, node, **kw) -> LabRun:
    return run_lab(rm, node, quick=True, device="cpu", **kw)


def test_pass_streams_lines_and_records(rm, tmp_path: Path) -> None:
    lines: list[str] = []
    r = run(rm, "ok", on_line=lines.append)
    assert r.status == "pass", (r.message, r.tail)
    assert "working" in lines and any("PASS" in x for x in lines)
    assert r.result["checks"][0]["passed"] and r.returncode == 0
    assert Path(r.log_path).read_text().count("working") == 1
    hist = read_history()
    assert hist[-1]["node"] == "ok" and hist[-1]["status"] == "pass"


def test_failed_checks(rm) -> None:
    r = run(rm, "failing")
    assert r.status == "fail" and r.returncode == 1 and "wrong" in r.message


def test_crash_is_error_with_traceback_in_json(rm) -> None:
    r = run(rm, "crash")
    assert r.status == "error" and r.returncode == 3
    assert "RuntimeError: boom" in r.result["error"] and "boom" in r.message


def test_killed_lab_without_result_is_error(rm) -> None:
    r = run(rm, "segv")
    assert r.status == "error" and "wrote no result" in r.message


def test_unknown_node_is_error_with_suggestion(rm) -> None:
    r = run(rm, "okk")
    assert r.status == "error" and "did you mean" in r.message and "ok" in r.message


def test_missing_requirement_names_pip_command(rm) -> None:
    r = run(rm, "needs")
    assert r.status == "error"
    assert "no_such_module_xyz" in r.message and "pip install no-such-module-xyz" in r.message
    assert "numpy" not in r.message.split("pip install")[1]


def test_hanging_lab_is_killed_with_its_group(rm) -> None:
    t0 = time.monotonic()
    r = run(rm, "hang")
    assert r.status == "timeout" and time.monotonic() - t0 < 15
    child = next(int(x.split()[1]) for x in r.tail if x.startswith("child "))
    time.sleep(0.2)
    assert not _alive(child), f"process {child} started by the lab outlived it"


def _alive(pid: int) -> bool:
    """True if ``pid`` runs (a killed zombie waiting for its reaper does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def test_cancel(rm) -> None:
    job = start_lab(rm, "hang", device="cpu", quick=True, timeout_s=60)
    time.sleep(1.0)
    job.cancel()
    r = job.wait(15)
    assert r is not None and r.status == "cancelled"


def test_huge_output_keeps_memory_and_disk_bounded(rm) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count = 0

    def on_line(_: str) -> None:
        nonlocal count
        count += 1

    r = run(rm, "loud", on_line=on_line)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert r.status == "error"  # it wrote no result JSON
    log = Path(r.log_path)
    assert MAX_LOG_BYTES - 8192 < log.stat().st_size <= MAX_LOG_BYTES + 200
    assert log.read_text().rstrip().endswith("of output; the rest was dropped")
    assert count >= 50 * 1024 and len(r.tail) <= 400  # every line still reached the caller
    assert grown_mib < 40, f"runner grew by {grown_mib:.0f} MiB"


def test_a_missing_optional_framework_is_skipped_never_verified(rm, tmp_path: Path) -> None:
    sol = tmp_path / "sol.py"
    sol.write_text("def double(x):\n    return x + x\n")
    r = run(rm, "optional", solution=sol)
    assert r.status == "skipped" and r.returncode == 4 and not r.verified
    assert "pip install framework" in r.message


def test_solution_with_syntax_error(rm, tmp_path: Path) -> None:
    sol = tmp_path / "sol.py"
    sol.write_text("def double(x)\n    return x\n")
    r = run(rm, "ok", solution=sol)
    assert r.status == "error" and r.solution == "learner"
    assert any("line 1" in x for x in r.tail)
    assert not any("Traceback" in x for x in r.tail)


def test_solution_missing_function(rm, tmp_path: Path) -> None:
    sol = tmp_path / "sol.py"
    sol.write_text("def triple(x):\n    return 3 * x\n")
    r = run(rm, "ok", solution=sol)
    assert r.status == "error" and any("missing function(s): double" in x for x in r.tail)


def test_solution_that_raises_fails_cleanly(rm, tmp_path: Path) -> None:
    sol = tmp_path / "sol.py"
    sol.write_text("def double(x):\n    raise ValueError('nope')\n")
    r = run(rm, "ok", solution=sol)
    assert r.status == "fail"
    assert "ValueError: nope" in r.result["checks"][-1]["message"]
    assert not any("Traceback" in x for x in r.tail)


def test_learner_pass_is_verified(rm, tmp_path: Path) -> None:
    sol = tmp_path / "sol.py"
    sol.write_text("def double(x):\n    return x + x\n")
    r = run(rm, "ok", solution=sol)
    assert r.status == "pass" and r.verified and len(r.solution_sha256) == 64


def test_missing_solution_file(rm, tmp_path: Path) -> None:
    r = run(rm, "ok", solution=tmp_path / "nope.py")
    assert r.status == "error" and "does not exist" in r.message


def test_gpu_labs_take_turns_across_processes(rm, tmp_path: Path) -> None:
    """A second process waits for the GPU lock the first one holds."""
    code = textwrap.dedent(f"""
        import sys
        from graph import load_roadmap
        from graph.runner import run_lab
        rm = load_roadmap({str(tmp_path / 'rm')!r})
        r = run_lab(rm, "gpu", device="cuda", on_line=lambda s: print(s, flush=True))
        print("STATUS", r.status)
    """)
    env = {**os.environ, "ROADMAP_DATA_DIR": str(tmp_path / "data")}
    first = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env=env)
    for line in first.stdout:  # wait until the first lab holds the lock and runs
        if "gpu lab start" in line:
            break
    lines: list[str] = []
    t0 = time.monotonic()
    second = threading.Thread(target=lambda: lines.append(
        run_lab(rm, "gpu", device="cuda", on_line=lines.append).status))
    second.start()
    second.join(30)
    first_out = first.communicate(timeout=30)[0]
    assert "gpu lab end" in first_out
    assert any(x.startswith("waiting for the GPU lock") for x in lines), lines
    assert lines[-1] == "pass" or lines[-1] == "error"  # the fake lab writes no JSON
    assert time.monotonic() - t0 >= 0.5
