"""Run labs as a user or the runner would: the reference, starters, mutants, alternatives.

Layout of the harness (see DESIGN.md, "The lab contract"):

- ``tests/labs/wrong/<lab>/<function>__<bug>.py``: one realistic learner bug in one exercise
  function. It defines that function only (plus what it needs) and runs with
  ``--solution FILE --only <function>``, so the lab's own code serves the other exercises.
- ``tests/labs/alt/<lab>.py``: a whole correct solution written in another idiom (float32
  unless the lesson asks otherwise, PyTorch-tutorial / CS231n / d2l style); it must pass.

All runs of one lab happen in one subprocess (``driver.py``), which imports torch once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.starter import exercises_of, make_starter

ROOT = Path(__file__).resolve().parents[2]
LABS = ROOT / "labs"
WRONG = Path(__file__).parent / "wrong"
ALT = Path(__file__).parent / "alt"
DRIVER = Path(__file__).parent / "driver.py"
LAB_FILES = sorted(p for p in LABS.glob("*.py") if p.name not in {"kit.py", "__init__.py"})
RUN_TIMEOUT = 150  # seconds per run inside the driver (quick labs take 2-20 s)

# Labs whose exercise is not numeric (a workflow, a Dockerfile, a git script), so a second
# idiom proves nothing about tolerances: tests/labs/alt/<lab>.txt says why, instead of a .py.
NO_ALT: dict[str, str] = {p.stem: p.read_text().strip() for p in ALT.glob("*.txt")}

# A lab judged by one whole wrong solution (tests/labs/wrong/<lab>.py) instead of mutants:
# none is left, and test_every_lab_is_on_the_harness keeps it so.
LEGACY: set[str] = {p.stem for p in WRONG.glob("*.py")}

HARNESS_LABS = [p for p in LAB_FILES if p.stem not in LEGACY]


@dataclass
class LabResult:
    returncode: int | str | None
    output: str
    result: dict | None

    def describe(self) -> str:
        return f"exit {self.returncode}\n--- output ---\n{self.output[-4000:]}"

    @property
    def graded_failures(self) -> list[str]:
        return [c["name"] for c in (self.result or {}).get("checks", [])
                if c.get("graded", True) and not c["passed"]]


def lab_env(one_thread: bool = True) -> dict[str, str]:
    """The environment labs run in under test: offline, headless, one BLAS/torch thread.

    ``one_thread`` pins torch and BLAS to one thread (two test workers share CI's two
    cores); False runs the lab with the thread pools a user's runner gives it.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if one_thread:
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.update(PYTHONUNBUFFERED="1", MPLBACKEND="Agg", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1")
    return env


def run_lab(path: Path, tmp: Path, *extra: str, timeout: float = 120,
            one_thread: bool = True) -> LabResult:
    """Run ``path --quick --json ... --out ...`` in its own process, as the runner does."""
    out_json = tmp / "result.json"
    proc = subprocess.run(
        [sys.executable, str(path), "--quick", "--json", str(out_json), "--out", str(tmp / "out"),
         *extra],
        capture_output=True, text=True, timeout=timeout, cwd=tmp, env=lab_env(one_thread),
    )
    result = json.loads(out_json.read_text()) if out_json.exists() else None
    return LabResult(proc.returncode, proc.stdout + proc.stderr, result)


def mutants_of(lab: Path) -> list[Path]:
    return sorted((WRONG / lab.stem).glob("*__*.py"))


def run_plan(lab: Path, tmp: Path) -> dict[str, LabResult]:
    """Every run the harness needs for one lab, in one driver process; results by run id."""
    tmp.mkdir(parents=True, exist_ok=True)
    starter = tmp / "starter.py"
    starter.write_text(make_starter(lab, lab.stem.replace("_", "-")))
    runs: list[tuple[str, list[str]]] = [
        ("reference", []), ("reference-seed-1", ["--seed", "1"]),
        ("starter", ["--solution", str(starter)]),
    ]
    if (ALT / lab.name).is_file():
        runs.append(("alt", ["--solution", str(ALT / lab.name)]))
    for m in mutants_of(lab):
        runs.append((f"mutant:{m.stem}", ["--solution", str(m), "--only", m.stem.split("__")[0]]))
    plan = [{"id": rid, "args": ["--quick", "--out", str(tmp / f"out-{i}"), *args],
             "json": str(tmp / f"result-{i}.json"), "log": str(tmp / f"log-{i}.txt")}
            for i, (rid, args) in enumerate(runs)]
    (tmp / "plan.json").write_text(json.dumps(plan))
    proc = subprocess.run([sys.executable, str(DRIVER), str(lab), str(tmp / "plan.json")],
                          capture_output=True, text=True, cwd=tmp, env=lab_env(),
                          timeout=RUN_TIMEOUT * len(plan))
    codes_file = tmp / "codes.json"
    codes = json.loads(codes_file.read_text()) if codes_file.exists() else {}
    results = {}
    for run in plan:
        log, res = Path(run["log"]), Path(run["json"])
        output = log.read_text(errors="replace") if log.exists() else ""
        if run["id"] not in codes:
            output += f"\n[driver exit {proc.returncode}]\n{proc.stdout}\n{proc.stderr}"
        results[run["id"]] = LabResult(codes.get(run["id"]), output,
                                       json.loads(res.read_text()) if res.exists() else None)
    return results


_PLANS: dict[str, dict[str, LabResult]] = {}


def claim_plan(tmp_path_factory, stem: str) -> None:
    """Fail if another test worker already ran this lab's plan in this session.

    All of a lab's tests go to one worker (``lab_param``'s xdist group, ``make test``'s
    ``--dist loadgroup``); where that grouping silently stops working (pytest 9 with
    pytest-xdist 3.8 ignores it) every lab would run twice and the suite take twice as long.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the session's workers
    claims = root / "lab-plans"
    claims.mkdir(exist_ok=True)
    try:
        os.close(os.open(claims / stem, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        pytest.fail(f"{stem}'s runs already happened on another test worker: the xdist "
                    "grouping is not in effect (pytest-xdist's loadgroup needs pytest<9; "
                    "see pyproject.toml)")


@pytest.fixture
def lab_runs(tmp_path_factory):
    """``lab_runs(lab)``: the lab's harness runs, made once per session (on one worker)."""
    def get(lab: Path) -> dict[str, LabResult]:
        if lab.stem not in _PLANS:
            claim_plan(tmp_path_factory, lab.stem)
            _PLANS[lab.stem] = run_plan(lab, tmp_path_factory.mktemp(lab.stem))
        return _PLANS[lab.stem]
    return get


def lab_param(lab: Path, *rest: object, id: str | None = None):
    """One parametrize entry tied to its lab's xdist group (all of a lab's tests on one worker)."""
    return pytest.param(lab, *rest, id=id or lab.stem,
                        marks=pytest.mark.xdist_group(name=f"lab-{lab.stem}"))


__all__ = ["ALT", "HARNESS_LABS", "LAB_FILES", "LEGACY", "NO_ALT", "WRONG", "LabResult",
           "exercises_of", "lab_param", "mutants_of", "run_lab"]
