"""The lab contract: flags, device, seed, checks, metrics, artifacts and the result JSON.

Every lab in this folder is a short script that ends with::

    def main(argv=None) -> int:
        return kit.run("backpropagation", body, globals(), argv)

    if __name__ == "__main__":
        raise SystemExit(main())

where ``body(lab)`` does the work and records checks on ``lab``. The kit parses the
common flags, seeds python/numpy/torch, resolves the device, prints the lesson (the lab's
docstring), swaps in a learner's functions in exercise mode, times the run, prints a
PASS/FAIL table and writes the result JSON (schema 2).

Checks are **graded** or **shown**. A graded check depends on an exercise function (the
learner's code in exercise mode); a shown check demonstrates a library, the data or the
lab's own code, so a learner cannot fail it. Checks are graded unless recorded inside
``with lab.shown():`` or with ``graded=False``. Only graded checks decide a learner's pass;
a reference run passes when every check, shown ones included, passes (a failing shown
check means the lab or its environment is broken). A lab ends with ``lab.conclude(...)``:
the lesson's key result in one sentence.

Exit code: 0 pass, 1 a check failed, 2 usage error, 3 the lab itself crashed (status
"error", traceback tail in the JSON), 4 skipped (an optional framework is missing:
``lab.skip(...)``; never a pass).

The kit uses only the standard library, numpy, torch (lazily), matplotlib (lazily)
and rich, so it also runs on machines that have nothing else installed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import functools
import hashlib
import json
import math
import os
import platform
import random
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = 2
EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR, EXIT_SKIPPED = 0, 1, 2, 3, 4
NOT_IMPLEMENTED = "not implemented yet"


class LabUsageError(Exception):
    """Bad flags or a solution file that cannot be used; exit code 2 or 3."""


class LearnerCodeError(Exception):
    """A learner's function raised; the lab reports it as a failed check."""


class LabSkipped(Exception):
    """An optional framework the lab needs is missing: status "skipped", never a pass."""

    def __init__(self, reason: str, install: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.install = reason, install


@dataclass
class Check:
    """One comparison against an oracle."""

    name: str
    passed: bool
    expected: str = ""
    actual: str = ""
    tolerance: float | None = None
    message: str = ""
    graded: bool = True  # depends on an exercise function; False: shown, never decides a pass
    hint: str = ""  # one line for a learner whose code fails this check


@dataclass
class Metric:
    """One measured number (accuracy, seconds, TFLOP/s, ...)."""

    name: str
    value: float
    unit: str = ""


@dataclass
class Lab:
    """The state of one lab run: parsed flags plus everything recorded so far."""

    node: str
    quick: bool
    seed: int
    device: str  # "cpu" or "cuda"
    out: Path
    solution: str = "reference"  # "reference" | "learner" | "partial" (--only)
    solution_path: Path | None = None
    solution_sha256: str | None = None
    only: tuple[str, ...] | None = None  # --only: the exercises taken from the solution file
    checks: list[Check] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    artifacts: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    takeaway: str | None = None  # the lesson's key result in one sentence (lab.conclude)
    _shown_depth: int = 0

    # ------------------------------------------------------------------ output
    def log(self, *parts: object) -> None:
        """Print one line of progress, flushed at once so a runner can stream it."""
        print(*parts, flush=True)

    def section(self, title: str) -> None:
        """Print a heading that separates the parts of a lab's output."""
        self.log(f"\n== {title} ==")

    # ------------------------------------------------------------------ checks
    def check(
        self,
        name: str,
        passed: bool,
        expected: object = "",
        actual: object = "",
        tolerance: float | None = None,
        message: str = "",
        *,
        graded: bool | None = None,
        hint: str = "",
    ) -> bool:
        """Record a check; returns whether it passed. Never raises.

        ``graded`` defaults to True, or False inside ``with lab.shown():``. ``hint`` is one
        line telling a learner what to look at when the check fails.
        """
        ok = bool(passed)
        is_graded = (self._shown_depth == 0) if graded is None else bool(graded)
        self.checks.append(
            Check(name, ok, _fmt(expected), _fmt(actual), tolerance, message, is_graded, hint)
        )
        self.log(f"  [{'PASS' if ok else 'FAIL'}]{'' if is_graded else ' (shown)'} {name}: "
                 f"expected {_fmt(expected)}, got {_fmt(actual)}"
                 + (f" (tol {tolerance:g})" if tolerance is not None else "")
                 + (f" - {message}" if message else "")
                 + (f"\n         hint: {hint}" if hint and not ok else ""))
        return ok

    def check_close(
        self,
        name: str,
        actual: Any,
        expected: Any,
        rtol: float = 1e-6,
        atol: float = 0.0,
        message: str = "",
        *,
        graded: bool | None = None,
        hint: str = "",
    ) -> bool:
        """Compare numbers/arrays/tensors by max relative error (CS231n style).

        ``err = max |a - e| / max(|a| + |e|, tiny)`` element-wise, or the absolute error
        where ``atol`` is given and larger. Shapes must match. Records the worst error.
        """
        try:
            a, e = _as_numpy(actual), _as_numpy(expected)
        except Exception as exc:  # noqa: BLE001 - a bad value is a failed check
            return self.check(name, False, _fmt(expected), _fmt(actual), rtol,
                              f"not comparable: {exc}", graded=graded, hint=hint)
        if a.shape != e.shape:
            return self.check(name, False, f"shape {e.shape}", f"shape {a.shape}", rtol,
                              message or "shape mismatch", graded=graded, hint=hint)
        import numpy as np

        a64, e64 = a.astype(np.float64), e.astype(np.float64)
        if not (np.all(np.isfinite(a64)) and np.all(np.isfinite(e64))):
            ok = bool(np.array_equal(a64, e64, equal_nan=True))
            return self.check(name, ok, _fmt(expected), _fmt(actual), rtol,
                              message or "non-finite values", graded=graded, hint=hint)
        diff = np.abs(a64 - e64)
        rel = diff / np.maximum(np.abs(a64) + np.abs(e64), 1e-300)
        ok_each = (rel <= rtol) | (diff <= atol)
        worst = float(rel.max()) if rel.size else 0.0
        worst_abs = float(diff.max()) if diff.size else 0.0
        msg = message or f"max rel err {worst:.2e}, max abs err {worst_abs:.2e}"
        tol = rtol if atol == 0 else max(rtol, atol)
        return self.check(name, bool(ok_each.all()), _summary(e64), _summary(a64), tol, msg,
                          graded=graded, hint=hint)

    def check_ge(self, name: str, actual: float, minimum: float, message: str = "", *,
                 graded: bool | None = None, hint: str = "") -> bool:
        """Check ``actual >= minimum``."""
        return self.check(name, _finite(actual) and actual >= minimum, f">= {minimum:g}",
                          actual, None, message, graded=graded, hint=hint)

    def check_le(self, name: str, actual: float, maximum: float, message: str = "", *,
                 graded: bool | None = None, hint: str = "") -> bool:
        """Check ``actual <= maximum``."""
        return self.check(name, _finite(actual) and actual <= maximum, f"<= {maximum:g}",
                          actual, None, message, graded=graded, hint=hint)

    def check_equal(self, name: str, actual: Any, expected: Any, message: str = "", *,
                    graded: bool | None = None, hint: str = "") -> bool:
        """Check exact equality (lists, strings, ints, sets, dicts)."""
        try:
            ok = bool(actual == expected)
        except Exception as exc:  # noqa: BLE001 - e.g. ambiguous array truth value
            return self.check(name, False, expected, actual, None, f"not comparable: {exc}",
                              graded=graded, hint=hint)
        return self.check(name, ok, expected, actual, None, message, graded=graded, hint=hint)

    @contextmanager
    def shown(self) -> Iterator[None]:
        """Checks recorded inside this block are *shown*: they never decide a learner's pass.

        Use it for demonstrations that do not depend on an exercise function (a library
        against another, the shipped data, the lab's own code).
        """
        self._shown_depth += 1
        try:
            yield
        finally:
            self._shown_depth -= 1

    @contextmanager
    def guard(self, name: str) -> Iterator[None]:
        """Run a block; if it raises, record a failed graded check ``name`` and carry on.

        Use it around calls to exercise functions so one missing piece does not hide the
        results of the others. (A shown block that raises is a broken lab, so the failed
        check ``name`` is graded either way: it cannot go unnoticed.)
        """
        try:
            yield
        except NotImplementedError as exc:
            self.check(name, False, "an implementation", NOT_IMPLEMENTED, None,
                       f"{NOT_IMPLEMENTED}: {exc}" if str(exc) else NOT_IMPLEMENTED,
                       graded=True)
        except LabSkipped:
            raise
        except Exception as exc:  # noqa: BLE001 - reported as a failed check
            self.check(name, False, "no exception", type(exc).__name__, None,
                       f"raised {type(exc).__name__}: {exc}", graded=True)

    # ----------------------------------------------------------------- metrics
    def metric(self, name: str, value: float, unit: str = "") -> None:
        """Record a measured number."""
        self.metrics.append(Metric(name, float(value), unit))
        self.log(f"  {name} = {value:.6g}{(' ' + unit) if unit else ''}")

    def note(self, text: str) -> None:
        """Record an explanatory line that goes into the JSON (e.g. why a part was skipped)."""
        self.notes.append(text)
        self.log(f"  note: {text}")

    def conclude(self, text: str) -> None:
        """Record the lesson's key result in one sentence, printed after the table.

        Write it from what was measured, e.g. ``f"your Adam matched torch.optim.Adam over
        {n} steps to {err:.0e}"``.
        """
        self.takeaway = " ".join(str(text).split())

    def table(self, filename: str, columns: list[str], rows: list[list[Any]],
              title: str = "") -> Path:
        """Print a small table and save it as a JSON artifact (kind "table") under ``--out``.

        Use it for results a learner reads better as rows than as a plot.
        """
        cells = [[_cell(v) for v in row] for row in rows]
        path = self.save_file(filename if filename.endswith(".json") else filename + ".json",
                              "table")
        path.write_text(json.dumps({"title": title, "columns": columns, "rows": cells},
                                   indent=1, default=str))
        widths = [max(len(str(c)), *(len(r[i]) for r in cells)) if cells else len(str(c))
                  for i, c in enumerate(columns)]
        if title:
            self.log(f"  {title}")
        self.log("  " + "  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=True)))
        for r in cells:
            self.log("  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
        return path

    def skip(self, reason: str, install: str | None = None) -> None:
        """Stop the lab with status "skipped" (never a pass), e.g. an optional framework is
        missing; ``install`` is the command that fixes it (``pip install keras``)."""
        raise LabSkipped(reason, install)

    # --------------------------------------------------------------- artifacts
    def savefig(self, fig: Any, filename: str) -> Path:
        """Save a matplotlib figure under ``--out`` and record it as an image artifact.

        An ``--only`` run (checking some functions, never verified) draws no plots: it
        closes the figure unsaved, which keeps that loop quick; a whole run draws them.
        """
        import matplotlib.pyplot as plt

        path = self.out / filename
        if self.only is not None:
            plt.close(fig)
            self.log(f"  (--only: {filename} is drawn by a whole run)")
            return path
        self.out.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        self.artifacts.append({"path": str(path), "kind": "image"})
        self.log(f"  saved {path}")
        return path

    def save_file(self, filename: str, kind: str = "file") -> Path:
        """Return a path under ``--out`` for a file the lab writes, recorded as an artifact."""
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / filename
        self.artifacts.append({"path": str(path), "kind": kind})
        return path

    # ----------------------------------------------------------------- helpers
    @property
    def torch_device(self) -> Any:
        """The resolved device as a ``torch.device``."""
        import torch

        return torch.device(self.device)

    def pick(self, quick: Any, full: Any) -> Any:
        """Return ``quick`` in --quick mode, else ``full``."""
        return quick if self.quick else full

    def timer(self) -> _Timer:
        """A wall-clock timer that synchronises CUDA around the block when on a GPU."""
        return _Timer(self.device)

    @property
    def graded_checks(self) -> list[Check]:
        return [c for c in self.checks if c.graded]

    @property
    def passed(self) -> bool:
        """A learner passes on the graded checks alone; a reference run needs every check."""
        graded = self.graded_checks
        if not graded or not all(c.passed for c in graded):
            return False
        return self.solution != "reference" or all(c.passed for c in self.checks)


class _Timer:
    """``with lab.timer() as t: ...`` then ``t.seconds``."""

    def __init__(self, device: str) -> None:
        self.device, self.seconds = device, 0.0

    def _sync(self) -> None:
        if self.device == "cuda":
            import torch

            torch.cuda.synchronize()

    def __enter__(self) -> _Timer:
        self._sync()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sync()
        self.seconds = time.perf_counter() - self._t0


# ---------------------------------------------------------------------- running
def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Remember what ``fn`` returns for the same arguments (``functools.cache``).

    For a lab's expensive setup that no exercise function touches: generated data, a
    pretrained encoder, a reference model trained in-lab. One run computes it once; the test
    suite, which runs a lab many times in one process (reference, starter, mutants,
    alternative), computes it once for all of them. Never cache anything an exercise
    function produced, and return values the lab does not modify (or copy them).
    """
    return functools.cache(fn)


def parser(node: str, doc: str | None = None) -> argparse.ArgumentParser:
    """The common flags every lab accepts."""
    p = argparse.ArgumentParser(
        prog=f"labs/{node.replace('-', '_')}.py",
        description=(doc or "").strip().splitlines()[0] if doc else None,
    )
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="auto = CUDA when available (CPU in --quick mode)")
    p.add_argument("--quick", action="store_true", help="small sizes, CPU, seconds (what CI runs)")
    p.add_argument("--seed", type=int, default=0, help="seed for python, numpy and torch")
    p.add_argument("--json", type=Path, default=None, help="write the result JSON here")
    p.add_argument("--solution", type=Path, default=None,
                   help="exercise mode: run the checks with the functions from this file")
    p.add_argument("--only", default=None, metavar="NAME[,NAME]",
                   help="with --solution: take only these functions from the file and the "
                        "lab's own for the rest (checks one function at a time, draws no plots; "
                        "never verified)")
    p.add_argument("--out", type=Path, default=None, help="folder for plots and other artifacts")
    return p


def run(
    node: str,
    body: Callable[[Lab], None],
    namespace: dict[str, Any],
    argv: list[str] | None = None,
) -> int:
    """Run a lab: parse flags, set up, call ``body(lab)``, report. Returns the exit code.

    ``namespace`` is the lab module's ``globals()``: its ``EXERCISES`` names the
    functions a learner writes, and in exercise mode those names are rebound there.
    """
    started = time.time()
    started_at = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    args = parser(node, namespace.get("__doc__")).parse_args(argv)
    out = args.out or Path(os.environ.get("ROADMAP_LAB_OUT", "lab-output")) / node
    lab = Lab(node=node, quick=args.quick, seed=args.seed, device="cpu", out=out)
    status, error = "error", None
    try:
        lab.device = resolve_device(args.device, args.quick)
        seed_everything(args.seed)
        if args.only is not None and args.solution is None:
            raise LabUsageError("--only needs --solution FILE")
        if args.solution is not None:
            only = tuple(n.strip() for n in args.only.split(",")) if args.only else None
            load_solution(lab, args.solution, namespace, only)
        _print_lesson(lab, namespace.get("__doc__"))
        lab.log(f"# lab {node}  device={lab.device}  quick={lab.quick}  seed={lab.seed}"
                f"  solution={lab.solution}")
        try:
            body(lab)
        except NotImplementedError as exc:
            lab.check("exercise functions", False, "an implementation", NOT_IMPLEMENTED,
                      None, f"{NOT_IMPLEMENTED}: {exc}" if str(exc) else NOT_IMPLEMENTED,
                      graded=True)
        except LabSkipped:
            raise
        except Exception as exc:
            if lab.solution_path is None or not _raised_in(exc, lab.solution_path):
                raise
            lab.check("learner code runs", False, "no exception", type(exc).__name__, None,
                      f"your code raised {type(exc).__name__}: {exc} "
                      f"({_learner_frame(exc, lab.solution_path)})", graded=True)
        if not lab.graded_checks:
            lab.check("lab grades something", False, ">= 1 graded check",
                      f"{len(lab.checks)} checks, none graded", None,
                      "a lab must grade at least one exercise function", graded=True)
        status = "pass" if lab.passed else "fail"
    except LabUsageError as exc:
        error = str(exc)
        print(f"error: {exc}", file=sys.stderr, flush=True)
        _write_result(args.json, lab, "error", started, started_at, error)
        return EXIT_USAGE
    except LabSkipped as exc:
        install = f" (install: {exc.install})" if exc.install else ""
        status, error = "skipped", exc.reason + install
        lab.notes.append(f"skipped: {error}")
        print(f"\nskipped: {error}", flush=True)
    except Exception as exc:  # noqa: BLE001 - the lab crashed: report, do not re-raise
        error = "".join(traceback.format_exception(exc))[-4000:]
        print(f"\nlab crashed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        print(error, file=sys.stderr, flush=True)
    _print_table(lab, status)
    _write_result(args.json, lab, status, started, started_at, error)
    return {"pass": EXIT_PASS, "fail": EXIT_FAIL, "skipped": EXIT_SKIPPED}.get(status, EXIT_ERROR)


def lesson(doc: str | None) -> str:
    """The lesson of a lab: its module docstring without the ``$ python ...`` usage lines."""
    lines = [ln for ln in (doc or "").strip().splitlines() if not ln.strip().startswith("$ ")]
    return "\n".join(lines).strip()


def resolve_device(requested: str, quick: bool) -> str:
    """``auto`` is CUDA when available (CPU in quick mode); ``cuda`` without CUDA is an error."""
    if requested == "cpu" or (requested == "auto" and quick):
        return "cpu"
    try:
        import torch
    except ImportError:
        if requested == "cuda":
            raise LabUsageError("--device cuda needs torch, which is not installed") from None
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    if requested == "cuda":
        raise LabUsageError("--device cuda was asked for, but CUDA is not available "
                            "(torch.cuda.is_available() is False); use --device cpu")
    return "cpu"


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (when the lab imported it; the kit never imports it)."""
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:
        pass
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


def load_solution(lab: Lab, path: Path, namespace: dict[str, Any],
                  only: tuple[str, ...] | None = None) -> None:
    """Load a learner's file and rebind the lab's EXERCISES in ``namespace`` to its functions.

    With ``only``, just those exercises are taken from the file (the lab's own serve the
    rest) and the run's solution is "partial": checked, never verified.
    """
    names = tuple(namespace.get("EXERCISES", ()))
    if not names:
        raise LabUsageError(f"lab {lab.node} declares no EXERCISES; --solution is not supported")
    if only is not None:
        unknown = [n for n in only if n not in names]
        if unknown or not only:
            raise LabUsageError(f"--only {','.join(only)}: not exercises of {lab.node} "
                                f"(its exercises: {', '.join(names)})")
        names = only
    if not path.is_file():
        raise LabUsageError(f"solution file {path} does not exist")
    source = path.read_bytes()
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise LabUsageError(f"solution file {path}: line {exc.lineno}: {exc.msg}") from None
    module: dict[str, Any] = {"__name__": "learner_solution", "__file__": str(path)}
    try:
        exec(code, module)  # noqa: S102 - the learner's own file, run like `python file.py`
    except Exception as exc:  # noqa: BLE001
        raise LabUsageError(f"solution file {path} failed to load: "
                            f"{type(exc).__name__}: {exc}") from None
    missing = [n for n in names if not callable(module.get(n))]
    if missing:
        raise LabUsageError(f"solution file {path} is missing function(s): {', '.join(missing)}"
                            f" (this lab's exercises: {', '.join(names)})")
    lab_module = Path(str(namespace.get("__file__", ""))).stem
    borrowed = [n for n in names
                if getattr(module[n], "__module__", None) in {lab_module, "__main__"}]
    if borrowed:
        raise LabUsageError(f"solution file {path} takes {', '.join(borrowed)} from the lab "
                            "itself; write your own function(s)")
    for n in names:
        namespace[n] = module[n]
    lab.solution, lab.only = ("learner", None) if only is None else ("partial", only)
    lab.solution_path = path.resolve()
    lab.solution_sha256 = hashlib.sha256(source).hexdigest()


def environment() -> dict[str, Any]:
    """Python, torch, CUDA and GPU of this process (torch only if the lab imported it)."""
    env: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform(),
                           "torch": None, "cuda": None, "gpu": None}
    torch = sys.modules.get("torch")
    if torch is not None:
        env["torch"] = torch.__version__
        env["cuda"] = torch.version.cuda
        if torch.cuda.is_available():
            env["gpu"] = torch.cuda.get_device_name(0)
    return env


# ---------------------------------------------------------------------- private
def _write_result(path: Path | None, lab: Lab, status: str, started: float,
                  started_at: str, error: str | None) -> None:
    if path is None:
        return
    result = {
        "schema": SCHEMA, "node": lab.node, "status": status,
        "solution": lab.solution, "solution_sha256": lab.solution_sha256,
        "device": lab.device, "quick": lab.quick, "seed": lab.seed,
        "started_at": started_at, "duration_s": round(time.time() - started, 3),
        "checks": [c.__dict__ for c in lab.checks],
        "metrics": [m.__dict__ for m in lab.metrics],
        "artifacts": lab.artifacts, "notes": lab.notes, "takeaway": lab.takeaway,
        "environment": environment(), "error": error,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(result, indent=1, default=str))
    tmp.replace(path)


def _print_lesson(lab: Lab, doc: str | None) -> None:
    text = lesson(doc)
    if text:
        lab.log(text + "\n")


def _print_table(lab: Lab, status: str) -> None:
    graded = [c for c in lab.checks if c.graded]
    shown = [c for c in lab.checks if not c.graded]
    ok = sum(c.passed for c in graded)
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain fallback
        for title, rows in ((f"graded: {ok}/{len(graded)} passed", graded),
                            ("shown (not graded)", shown)):
            if rows:
                print(f"\n{title}")
                for c in rows:
                    print(f"{'PASS' if c.passed else 'FAIL':<6} {c.name}  {c.message}")
        _print_footer(lab, status)
        return
    console = Console(width=max(100, Console().width), force_terminal=False,
                      color_system=None if not sys.stdout.isatty() else "auto")
    for title, rows in ((f"{lab.node}: {ok}/{len(graded)} graded checks passed", graded),
                        (f"{lab.node}: shown, not graded ({sum(c.passed for c in shown)}/"
                         f"{len(shown)} as expected)", shown)):
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        for col in ("result", "check", "expected", "actual", "tol", "note"):
            table.add_column(col, overflow="fold")
        for c in sorted(rows, key=lambda c: c.passed):  # failures first
            note = c.message[:80] + (f" | hint: {c.hint}" if c.hint and not c.passed else "")
            table.add_row("[green]PASS[/]" if c.passed else "[red]FAIL[/]", c.name,
                          c.expected[:60], c.actual[:60],
                          "" if c.tolerance is None else f"{c.tolerance:g}", note)
        console.print()
        console.print(table)
    sys.stdout.flush()
    _print_footer(lab, status)


def _print_footer(lab: Lab, status: str) -> None:
    if lab.takeaway and status == "pass":
        print(f"\n{lab.takeaway}")
    print(f"{lab.node}: {status.upper()}", flush=True)


def _raised_in(exc: BaseException, path: Path) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path:
            return True
        tb = tb.tb_next
    return False


def _learner_frame(exc: BaseException, path: Path) -> str:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{path.name}, line {line}"


def _as_numpy(x: Any) -> Any:
    import numpy as np

    if hasattr(x, "detach"):  # torch tensor
        x = x.detach().cpu()
        if str(x.dtype) == "torch.bfloat16":
            x = x.float()
        x = x.numpy()
    return np.asarray(x, dtype=np.float64)


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _summary(a: Any) -> str:
    if a.size == 1:
        return _fmt(float(a.reshape(-1)[0]))
    return f"array{tuple(a.shape)} mean {a.mean():.6g}"


def _cell(x: object) -> str:
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    s = str(x)
    return s if len(s) <= 200 else s[:197] + "..."
