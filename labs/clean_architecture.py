"""Clean architecture: put a service's core behind Protocol ports and let import-linter check it.

SOLID's dependency-inversion principle says high-level policy must not depend on low-level
detail; both depend on abstractions. Clean (hexagonal, onion) architecture makes that a
layout: concentric layers, outermost first ``infrastructure`` (database, the composition root
that wires everything), ``adapters`` (HTTP, repositories), ``application`` (use cases) and
``domain`` (entities plus *ports*: the interfaces the use cases need, written as
``typing.Protocol`` classes that outer layers implement structurally, without inheriting).
The *dependency rule*: imports point inward only, and the domain touches no I/O library. A
use case that takes its ports as arguments is tested with in-memory fakes, without a database.
Teams keep the rule true with an import-linter contract in CI (``lint-imports``), because
a rule nobody checks erodes one "quick" import at a time.

The sample service ``SAMPLE`` (``predictor/``) breaks the rule three times: the domain model
saves itself through the infrastructure's database, the ports module imports a use case, and
the predict use case imports the HTTP presenter. The outer layers have already been rewritten
(``OUTER``: an HTTP adapter that formats responses, SQLite adapters for two ports, the
composition root). You rewrite the three inner modules to fit them. The judges are the real
``lint-imports`` with the contracts in ``CONTRACTS`` (layers, and a forbidden contract that
keeps I/O libraries out of the domain) and the real pytest running the sample's tests
(``TESTS``: the use case with fakes, and the service end to end over SQLite).

$ python labs/clean_architecture.py --quick
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit

EXERCISES = ("model", "ports", "predict_use_case")
DATA = Path(__file__).resolve().parent / "data" / "clean_architecture"
SAMPLE = DATA / "predictor"  # the service as it is, three violations included
OUTER = DATA / "outer"  # adapters/ and infrastructure/ as rewritten for the new ports
TESTS = DATA / "tests" / "test_predictor.py"
CONTRACTS = DATA / "importlinter.ini"
PORTS = ("ModelRepository", "Scorer", "PredictionLog")
# Imports the assembled package and reports which ports are Protocols and which port
# methods the adapters wired to them lack.
FACTS = r"""
import json
from predictor.domain import ports
from predictor.adapters.repository import SqliteModelRepository, SqlitePredictionLog
def members(c):
    return sorted(k for k, v in vars(c).items() if callable(v)
                  and (not k.startswith("__") or k == "__call__"))
out = {"protocol": {n: bool(getattr(getattr(ports, n, None), "_is_protocol", False))
                    for n in %r}, "missing": {}}
for n, impl in (("ModelRepository", SqliteModelRepository), ("PredictionLog", SqlitePredictionLog)):
    port = getattr(ports, n, None)
    out["missing"][n] = "no such port" if port is None else [
        m for m in members(port) if not hasattr(impl, m)]
print(json.dumps(out))
""" % (PORTS,)


@dataclass
class Config:
    timeout_s: float = 120.0  # per tool


# ----------------------------------------------------------------- exercises
def model() -> str:
    """Source of ``predictor/domain/model.py``, rewriting the one in ``SAMPLE``: the
    entities ``ModelInfo(name, version, threshold=0.5)`` and ``Prediction(model, score)``
    (frozen dataclasses; ``label`` is ``score >= model.threshold``), with no I/O: a
    prediction is stored through the ``PredictionLog`` port, never by the entity itself."""
    return '''\
"""Entities of the prediction domain: plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: int
    threshold: float = 0.5


@dataclass(frozen=True)
class Prediction:
    model: ModelInfo
    score: float

    @property
    def label(self) -> bool:
        return self.score >= self.model.threshold
'''


def ports() -> str:
    """Source of ``predictor/domain/ports.py``, rewriting ``SAMPLE``'s: ``typing.Protocol``
    classes ``ModelRepository`` (``get(name) -> ModelInfo``, ``add(info)``), ``Scorer``
    (``__call__(features) -> float``) and ``PredictionLog`` (``record(prediction)``), which
    the adapters in ``OUTER`` implement structurally. The domain imports nothing from the
    layers outside it."""
    return '''\
"""Ports: the interfaces the use cases need, implemented by outer layers."""

from __future__ import annotations

from typing import Protocol

from predictor.domain.model import ModelInfo, Prediction


class ModelRepository(Protocol):
    def get(self, name: str) -> ModelInfo: ...

    def add(self, info: ModelInfo) -> None: ...


class Scorer(Protocol):
    def __call__(self, features: list[float]) -> float: ...


class PredictionLog(Protocol):
    def record(self, prediction: Prediction) -> None: ...
'''


def predict_use_case() -> str:
    """Source of ``predictor/application/predict.py``: ``predict(repo, scorer, log, name,
    features) -> Prediction`` scores ``features`` with the model ``repo.get(name)``, records
    the prediction with ``log.record`` and returns it (formatting a response is the HTTP
    adapter's job). It depends on the domain only. All three modules are judged together:
    ``lint-imports`` with ``CONTRACTS`` and pytest with ``TESTS``."""
    return '''\
"""Use case: score features with the named model and record the prediction."""

from __future__ import annotations

from predictor.domain.model import Prediction
from predictor.domain.ports import ModelRepository, PredictionLog, Scorer


def predict(repo: ModelRepository, scorer: Scorer, log: PredictionLog, name: str,
            features: list[float]) -> Prediction:
    prediction = Prediction(repo.get(name), scorer(features))
    log.record(prediction)
    return prediction
'''


# ------------------------------------------------------------------------- tools
def contracts(out: str) -> dict[str, str]:
    """lint-imports' report as ``{contract name: "KEPT" | "BROKEN"}``."""
    return {m[1].strip(): m[2] for m in re.finditer(r"^(.+?) (KEPT|BROKEN)$", out, re.M)}


def run_tools(modules: dict[str, str], cfg: Config) -> dict:
    """Assemble the original and the refactored package; run lint-imports on both, and
    pytest and the facts script on the refactored one, in parallel."""
    tmp = Path(tempfile.mkdtemp(prefix="clean-arch-lab-"))
    try:
        for name in ("original", "yours"):
            shutil.copytree(SAMPLE, tmp / name / "predictor")
            shutil.copy(CONTRACTS, tmp / name)
        shutil.copytree(OUTER, tmp / "yours" / "predictor", dirs_exist_ok=True)
        for rel, text in modules.items():
            (tmp / "yours" / "predictor" / rel).write_text(text)
        shutil.copy(TESTS, tmp / "yours")
        env = {**os.environ, "PYTHONPATH": ".", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "NO_COLOR": "1"}
        lint = [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()",
                "--no-cache", CONTRACTS.name]
        cmds = {"lint original": ("original", lint), "lint": ("yours", lint),
                "pytest": ("yours", [sys.executable, "-m", "pytest", "-q", "-p",
                                     "no:cacheprovider", TESTS.name]),
                "facts": ("yours", [sys.executable, "-c", FACTS])}
        procs = {k: subprocess.Popen(c, cwd=tmp / d, env=env, text=True, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE) for k, (d, c) in cmds.items()}
        res = {}
        for k, proc in procs.items():
            out, err = proc.communicate(timeout=cfg.timeout_s)
            res[k] = (proc.returncode, out, err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


# ------------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    cfg = Config()
    files = {"model": "domain/model.py", "ports": "domain/ports.py",
             "predict_use_case": "application/predict.py"}
    modules = {}
    for fn, rel in files.items():
        with lab.guard(f"{fn} runs"):
            modules[rel] = globals()[fn]()
    with lab.timer() as t:
        res = run_tools(modules, cfg)
    lab.metric("tools_seconds", t.seconds, "s")
    before, after = contracts(res["lint original"][1]), contracts(res["lint"][1])
    names = sorted(re.findall(r"^name = (.+)$", CONTRACTS.read_text(), re.M))
    with lab.shown():
        lab.check("lint-imports: SAMPLE breaks both contracts", len(names) == 2 and all(
            before.get(n) == "BROKEN" for n in names), "2 BROKEN", before,
            hint=res["lint original"][2][-200:])
    if len(modules) < len(files):
        return  # an exercise is missing: its guard already failed; the rest needs all three

    lab.section("your inner layers, judged by import-linter and pytest")
    report = res["lint"][1]
    for name in names:
        broken = report.split(name, 2)[-1].split("\n\n\n")[0] if after.get(name) != "KEPT" \
            else ""
        lab.check(f"import-linter: {name}", after.get(name) == "KEPT", "KEPT",
                  after.get(name, "not run"), message=" ".join(
                      ln.strip().lstrip("- ") for ln in broken.splitlines() if "->" in ln)[:300],
                  hint="an inner layer may only import inward; pass what it needs as a port")
    rc, out, err = res["pytest"]
    summary = (out.strip().splitlines() or [err.strip()[-300:]])[-1]
    lab.check("the sample's tests pass (pytest: fakes and end to end)", rc == 0,
              "exit 0", f"exit {rc}: {summary}")
    facts = json.loads(res["facts"][1] or "{}") if res["facts"][0] == 0 else {}
    lab.check_equal("ModelRepository, Scorer and PredictionLog are typing.Protocol classes",
                    facts.get("protocol", res["facts"][2][-200:]), {p: True for p in PORTS},
                    hint="class PredictionLog(Protocol): ... (no ABC, no inheritance needed)")
    lab.check_equal("the adapters have every method of the port they are wired to",
                    facts.get("missing"), {"ModelRepository": [], "PredictionLog": []},
                    hint="the port's method names must be the ones the adapters implement")
    lab.table("contracts", ["contract", "SAMPLE", "yours"],
              [[n, before.get(n, "?"), after.get(n, "?")] for n in names],
              title="import-linter contracts, before and after your refactoring")
    lab.conclude(f"import-linter keeps all {len(names)} contracts on your refactored service "
                 f"(SAMPLE broke {sum(v == 'BROKEN' for v in before.values())}), its tests "
                 "pass with fakes and end to end, and the three ports are Protocols that "
                 "the SQLite adapters satisfy structurally.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("clean-architecture", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
