"""Helpers to run a lab script in a subprocess, as a user or the runner would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LABS = ROOT / "labs"
WRONG = Path(__file__).parent / "wrong"
LAB_FILES = sorted(p for p in LABS.glob("*.py") if p.name not in {"kit.py", "__init__.py"})


@dataclass
class LabResult:
    returncode: int
    stdout: str
    stderr: str
    result: dict | None


def run_lab(path: Path, tmp: Path, *extra: str, timeout: float = 120,
            one_thread: bool = True) -> LabResult:
    """Run ``path --quick --json ... --out ...`` and return its exit code, output and JSON.

    ``one_thread`` pins torch and BLAS to one thread (two test workers share CI's two
    cores); False runs the lab with the thread pools a user's runner gives it.
    """
    out_json = tmp / "result.json"
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if one_thread:
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.update(PYTHONUNBUFFERED="1", MPLBACKEND="Agg", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1")
    proc = subprocess.run(
        [sys.executable, str(path), "--quick", "--json", str(out_json), "--out", str(tmp / "out"),
         *extra],
        capture_output=True, text=True, timeout=timeout, cwd=tmp, env=env,
    )
    result = json.loads(out_json.read_text()) if out_json.exists() else None
    return LabResult(proc.returncode, proc.stdout, proc.stderr, result)


@pytest.fixture(params=LAB_FILES, ids=lambda p: p.stem)
def lab_file(request) -> Path:
    return request.param
