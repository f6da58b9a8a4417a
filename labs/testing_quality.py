"""Testing and code quality: write a pytest suite that mutation testing cannot fool.

Unit tests pin single functions on chosen examples; property-based tests (hypothesis) state a
rule that must hold for *every* input and search for a counterexample; integration tests run
parts together. Coverage only says which lines ran, not whether the tests would notice a
mistake. *Mutation testing* does: make one small change to the code (``<`` -> ``<=``, ``+``
-> ``-``, ``/`` -> ``//``), run the suite, and count the mutants it kills (some test fails).
A mutant that survives is either a hole in the tests or *equivalent* (it behaves exactly like
the original, so no test can kill it); the mutation score counts the non-equivalent ones only.
A suite that checks one happy-path example per function typically kills half of them; one
with edge cases (empty input, window = whole list, values at a boundary), duplicates and
non-integer results, or a property compared with a reference (``statistics.median``), kills
nearly all.

You write ``test_file``: a pytest module for ``SAMPLE`` (``stats.py``: mean, median,
moving_average, clip). The lab runs it with the real pytest against the correct module
(it must pass), against every single-operator mutant the lab generates (``mutants``) and
against ``REALISTIC_BUGS`` (bugs people write: a median that drops duplicates, a mean that
floors, a window lost at the end ...). Mutants that behave like the original on an exhaustive
grid of small inputs are equivalent and excluded.

$ python labs/testing_quality.py --quick
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit

EXERCISES = ("test_file",)
SAMPLE = Path(__file__).resolve().parent / "data" / "testing_quality" / "stats.py"
REALISTIC_BUGS = (  # (name, line of SAMPLE, what replaces it)
    ("median drops duplicates", "    s = sorted(xs)", "    s = sorted(set(xs))"),
    ("even median takes the upper value", "    return (s[mid - 1] + s[mid]) / 2",
     "    return s[mid]"),
    ("mean floors", "    return sum(xs) / len(xs)", "    return sum(xs) // len(xs)"),
    ("mean of [] is 0", '        raise ValueError("mean of empty data")', "        return 0.0"),
    ("last window lost", "    for i in range(k, len(xs)):", "    for i in range(k, len(xs) - 1):"),
    ("window k = len(xs) refused", "    if k < 1 or k > len(xs):", "    if k < 1 or k >= len(xs):"),
    ("clip ignores hi", "        return hi", "        return x"),
)
SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Div: ast.FloorDiv, ast.FloorDiv: ast.Div,
        ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Div: "/", ast.FloorDiv: "//", ast.Lt: "<",
          ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
# Runs pytest on each folder in one process; writes {folder: [exit code, tests run]} as JSON.
RUNNER = r"""
import json, os, sys, pytest
class Count:
    n = 0
    def pytest_runtest_logreport(self, report):
        self.n += report.when == "call"
out = {}
for d in sys.argv[2:]:
    for m in [m for m in sys.modules if m == "stats" or m.startswith("test_")]:
        del sys.modules[m]
    c, name = Count(), os.path.basename(d)
    stop = [] if name == "original" else ["-x"]
    rc = pytest.main([os.path.join(d, "test_stats.py"), "-q", "-p", "no:cacheprovider",
                      "--rootdir", d, *stop], plugins=[c])
    out[name] = [int(rc), c.n]
json.dump(out, open(sys.argv[1], "w"))
"""


@dataclass
class Config:
    min_score: float = 0.8  # mutation score a suite must reach (equivalent mutants excluded)
    timeout_s: float = 300.0  # for the pytest subprocess


# ----------------------------------------------------------------- exercises
def test_file() -> str:
    """The text of a pytest module (``test_stats.py``) that tests ``SAMPLE`` via ``import
    stats``.

    It must pass on ``SAMPLE``, kill (make some test fail) at least 80% of the non-equivalent
    single-operator mutants from ``mutants``, and kill every bug in ``REALISTIC_BUGS``. Keep
    it deterministic (hypothesis: ``derandomize=True``) and fast: it runs once per mutant.
    """
    return '''\
"""Tests for stats.py: unit, edge-case, property-based and integration tests."""

import statistics

import pytest
import stats
from hypothesis import given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=40, derandomize=True, database=None, deadline=None)
LISTS = st.lists(st.integers(-20, 20), min_size=1, max_size=12)


def test_mean_is_not_floored():
    assert stats.mean([1, 2, 3, 6]) == 3
    assert stats.mean([1, 2]) == 1.5


@pytest.mark.parametrize("fn", [stats.mean, stats.median])
def test_empty_input_raises(fn):
    with pytest.raises(ValueError):
        fn([])


def test_median_odd_even_and_duplicates():
    assert stats.median([3, 1, 2]) == 2
    assert stats.median([4, 1, 3, 2]) == 2.5
    assert stats.median([1, 1, 5]) == 1


@FAST
@given(LISTS)
def test_median_matches_statistics(xs):
    assert stats.median(xs) == statistics.median(xs)


@FAST
@given(LISTS)
def test_mean_matches_statistics(xs):
    assert stats.mean(xs) == pytest.approx(statistics.fmean(xs))


def test_moving_average_edges():
    assert stats.moving_average([1, 2, 3, 4], 1) == [1, 2, 3, 4]
    assert stats.moving_average([1, 2, 3, 4], 4) == [2.5]
    assert stats.moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]
    for k in (0, 5):
        with pytest.raises(ValueError):
            stats.moving_average([1, 2, 3, 4], k)


@FAST
@given(LISTS, st.integers(1, 12))
def test_moving_average_is_windowed_mean(xs, k):
    k = min(k, len(xs))
    want = [sum(xs[i:i + k]) / k for i in range(len(xs) - k + 1)]
    assert stats.moving_average(xs, k) == pytest.approx(want)


def test_clip_below_inside_above_and_at_the_bounds():
    assert [stats.clip(x, 0, 10) for x in (-5, 0, 5, 10, 15)] == [0, 0, 5, 10, 10]


def test_pipeline_clip_smooth_summarise():
    clean = [stats.clip(x, 0, 20) for x in [3, 120, 5, 7, -40, 9, 11, 250, 13]]
    smooth = stats.moving_average(clean, 3)
    assert clean == [3, 20, 5, 7, 0, 9, 11, 20, 13]
    assert stats.median(smooth) == pytest.approx(28 / 3)
'''


# --------------------------------------------------------------------- mutants
def mutants(source: str) -> list[tuple[str, str]]:
    """Every single-operator mutant of ``source``: swap one ``+``/``-``, ``/``/``//`` or one
    comparison ``<``/``<=``, ``>``/``>=``, ``==``/``!=``. Returns ``(description,
    mutated source)`` pairs, the description ``"LINE: OLD -> NEW"`` (e.g. ``"32: < -> <="``)."""
    sites = []  # (index of the node in ast.walk order, index of the op or None)
    for i, node in enumerate(ast.walk(ast.parse(source))):
        if isinstance(node, ast.BinOp) and type(node.op) in SWAP:
            sites.append((i, None))
        elif isinstance(node, ast.Compare):
            sites += [(i, j) for j, op in enumerate(node.ops) if type(op) in SWAP]
    out = []
    for i, j in sites:
        tree = ast.parse(source)
        node = list(ast.walk(tree))[i]
        old = node.op if j is None else node.ops[j]
        new = SWAP[type(old)]()
        if j is None:
            node.op = new
        else:
            node.ops[j] = new
        out.append((f"{node.lineno}: {SYMBOL[type(old)]} -> {SYMBOL[type(new)]}",
                    ast.unparse(tree)))
    return out


def behaviour(source: str) -> list:
    """Outputs (or exception names) of the module's functions on an exhaustive small grid."""
    ns: dict = {}
    exec(compile(source, "stats.py", "exec"), ns)  # noqa: S102 - the lab's own sample

    def call(f, *a):
        try:
            return f(*a)
        except Exception as exc:  # noqa: BLE001 - the exception type is the behaviour
            return type(exc).__name__
    lists = [list(p) for n in range(5) for p in itertools.product(range(3), repeat=n)]
    out = [call(ns[f], xs) for xs in lists for f in ("mean", "median")]
    out += [call(ns["moving_average"], xs, k) for xs in lists for k in range(6)]
    out += [call(ns["clip"], x, lo, hi)  # clip's precondition: lo <= hi
            for x, lo, hi in itertools.product(range(-3, 4), repeat=3) if lo <= hi]
    return out


def run_suite(tests: str, variants: dict[str, str], cfg: Config) -> dict:
    """Run the test file against each variant of stats.py with the real pytest."""
    tmp = Path(tempfile.mkdtemp(prefix="testing-lab-"))
    try:
        for name, code in variants.items():
            (tmp / name).mkdir()
            (tmp / name / "test_stats.py").write_text(tests)
            (tmp / name / "stats.py").write_text(code)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
               "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # other plugins: seconds per run
        p = subprocess.run([sys.executable, "-c", RUNNER, str(tmp / "res.json"),
                            *[str(tmp / n) for n in variants]], cwd=tmp, env=env, text=True,
                           capture_output=True, timeout=cfg.timeout_s)
        if not (tmp / "res.json").exists():
            raise RuntimeError(f"pytest runner failed: {p.stderr[-1500:]}")
        return json.loads((tmp / "res.json").read_text())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    cfg = Config()
    src = SAMPLE.read_text()
    ops = mutants(src)
    ref = behaviour(src)
    equivalent = [behaviour(m) == ref for _, m in ops]  # by index: descriptions can repeat
    bugs = {name: src.replace(old, new) for name, old, new in REALISTIC_BUGS}
    with lab.shown():
        lab.check_equal("every realistic bug changes exactly one line of SAMPLE",
                        [n for n, b in bugs.items() if b == src], [])
        eq = sorted(d for (d, _), e in zip(ops, equivalent, strict=True) if e)
        lab.check("the equivalent mutants found on the grid are clip's < -> <= and > -> >=",
                  [d.split(": ")[1] for d in eq] == ["< -> <=", "> -> >="],
                  "2 (clip's boundaries)", eq)
    lab.metric("operator_mutants", len(ops))

    with lab.guard("test_file runs"):
        tests = test_file()
        lab.save_file("test_stats.py").write_text(tests)
        variants = {"original": src, **{f"op_{k:02d}": m for k, (_, m) in enumerate(ops)},
                    **{f"bug_{k}": b for k, b in enumerate(bugs.values())}}
        with lab.timer() as t:
            res = run_suite(tests, variants, cfg)
        lab.metric("pytest_seconds", t.seconds, "s")
        rc, n = res["original"]
        lab.check("your tests pass on the correct stats.py (pytest)", rc == 0 and n > 0,
                  "exit 0, >= 1 test", f"exit {rc}, {n} tests",
                  hint="exit 5 means pytest collected no test: name them test_*")
        killed = [res[f"op_{k:02d}"][0] == 1 for k in range(len(ops))]
        live = [k for k, e in enumerate(equivalent) if not e]
        score = sum(killed[k] for k in live) / len(live)
        lab.metric("mutation_score", score)
        lab.check_ge("mutation score (non-equivalent operator mutants killed)", score,
                     cfg.min_score, f"survivors: {[ops[k][0] for k in live if not killed[k]]}",
                     hint="test edges: empty input, k = len(xs), values at a bound")
        missed = [name for k, name in enumerate(bugs) if res[f"bug_{k}"][0] != 1]
        lab.check_equal("every realistic bug is killed", missed, [],
                        hint="use duplicates and non-integer means in your data")
        per_fn: dict[str, list[int]] = {}
        lines = {f.name: (f.lineno, f.end_lineno) for f in ast.parse(src).body
                 if isinstance(f, ast.FunctionDef)}
        for (d, _), k, e in zip(ops, killed, equivalent, strict=True):
            fn = next(f for f, (a, b) in lines.items() if a <= int(d.split(":")[0]) <= b)
            row = per_fn.setdefault(fn, [0, 0, 0])
            row[0] += 1
            row[1] += k
            row[2] += e
        lab.table("mutants", ["function", "mutants", "killed", "equivalent"],
                  [[f, *v] for f, v in per_fn.items()],
                  title="operator mutants of stats.py, by function")
        lab.conclude(f"Your tests pass on stats.py, kill {score:.0%} of its "
                     f"{len(live)} non-equivalent operator mutants and all "
                     f"{len(bugs)} realistic bugs; the {sum(equivalent)} equivalent mutants "
                     "(clip's boundaries) survive any suite.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("testing-quality", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
