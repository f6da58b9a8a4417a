"""Testing and code quality: unit, integration, property-based and performance tests, and
mutation testing to measure how good the tests are.

Unit tests pin single functions on chosen examples; integration tests run parts together
(here: clip -> smooth -> summarise); performance tests put a budget on time; property-based
tests (hypothesis) state a rule that must hold for *every* input and search for a
counterexample, which they then shrink to a minimal one. Coverage says which lines ran, not
whether the tests would notice a mistake; *mutation testing* does: make one small change
to the code (``<`` -> ``<=``, ``+`` -> ``-``), run the suite, and count the mutants it kills.
A mutant that survives is either a hole in the tests or *equivalent* (same behaviour).

The lab copies a sample module and its pytest suite (``labs/data/testing_quality``) to a
temp dir and runs the real pytest + hypothesis there (one subprocess): the suite passes on
the original, catches a planted bug (the median drops duplicates) that the unit tests miss,
and is run against every mutant. The learner writes ``median_property`` (a property check,
run by hypothesis: it must hold for the correct median and ``statistics.median`` and find a
counterexample for three buggy ones) and ``mutants`` (single-operator mutants via ``ast``,
checked token by token with ``tokenize``); the surviving mutants must be exactly the known
equivalent ones, which the lab confirms on an exhaustive grid of inputs.

$ python labs/testing_quality.py --quick
"""

from __future__ import annotations

import ast
import io
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("median_property", "mutants")
DATA = Path(__file__).resolve().parent / "data" / "testing_quality"
SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
        ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
          ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}

# Runs pytest once per folder in one process; writes {folder: {"rc", "tests"}} as JSON.
RUNNER = r"""
import json, os, sys, pytest
class Collect:
    def __init__(self): self.out = {}
    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome == "failed":
            self.out[report.nodeid.split("::")[-1]] = report.outcome
results = {}
for d in sys.argv[2:]:
    for m in ("stats", "test_stats"):
        sys.modules.pop(m, None)
    c, name = Collect(), os.path.basename(d)
    stop = ["-x"] if name.startswith("mutant") else []
    rc = pytest.main([os.path.join(d, "test_stats.py"), "-q", "-p", "no:cacheprovider", *stop],
                     plugins=[c])
    results[name] = {"rc": int(rc), "tests": c.out}
json.dump(results, open(sys.argv[1], "w"))
"""


@dataclass
class Config:
    bug_old: str = "s = sorted(xs)"  # the line the planted bug changes ...
    bug_new: str = "s = sorted(set(xs))"  # ... into this: duplicates are dropped
    examples: int = 200  # hypothesis examples per property check in the lab
    quick_functions: tuple = ("median", "clip")  # --quick: run only these functions' mutants
    timeout_s: float = 300.0  # for the pytest subprocess


# ----------------------------------------------------------------- exercises
def median_property(median_fn, xs: list) -> bool:
    """True when ``median_fn(xs)`` behaves like the median of the non-empty list ``xs``:
    it does not depend on the order of ``xs``; at least half of the values are <= it and at
    least half are >= it; shifting every value by c shifts it by c; and it is the middle
    value of ``sorted(xs)`` (odd length) or the mean of the two middle values (even)."""
    m, n, s = median_fn(list(xs)), len(xs), sorted(xs)
    if median_fn(list(reversed(xs))) != m or median_fn([x + 7 for x in xs]) != m + 7:
        return False
    if 2 * sum(x <= m for x in xs) < n or 2 * sum(x >= m for x in xs) < n:
        return False
    return m == (s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2)


def mutants(source: str) -> list[tuple[str, str]]:
    """Every single-operator mutant of ``source``: swap one ``+``/``-`` of a binary operation
    or one comparison ``<``/``<=``, ``>``/``>=``, ``==``/``!=`` for its partner. Returns
    ``(description, mutated_source)`` pairs, description ``"LINE: OLD -> NEW"`` (e.g.
    ``"32: < -> <="``, line of the original), sources via ``ast.unparse``."""
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


# --------------------------------------------------------------------- helpers
def _load(source: str) -> dict:
    ns: dict = {}
    exec(compile(source, "stats.py", "exec"), ns)  # noqa: S102 - the lab's own sample
    return ns


def _ops(source: str) -> list[str]:
    """Operator tokens of a source, by tokenize (independent of ast)."""
    return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type == tokenize.OP and t.string in SYMBOL.values()]


def _behaviour(ns: dict) -> list:
    """Outputs (or exception types) of the sample's functions on an exhaustive small grid."""
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


def _falsify(prop, fn, examples: int):
    """Run the learner's property over hypothesis lists; the counterexample or None."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    found = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              report_multiple_bugs=False)
    @given(st.lists(st.integers(-20, 20), min_size=1, max_size=12))
    def test(xs):
        if not prop(fn, xs):
            found.append(list(xs))
            raise AssertionError(xs)

    try:
        test()
    except AssertionError:
        return found[-1]  # hypothesis replays the shrunk example last
    return None


# ------------------------------------------------------------------------- lab
def _properties(lab: kit.Lab, cfg: Config, src: str, planted: str) -> None:
    lab.section("property-based testing of the median (hypothesis)")
    good = _load(src)["median"]
    bugs = {"planted bug (sorted(set(xs)))": _load(planted)["median"],
            "upper median": lambda xs: sorted(xs)[len(xs) // 2],
            "mean instead of median": lambda xs: sum(xs) / len(xs)}
    with lab.guard("median_property runs"):
        for name, fn in (("sample median", good), ("statistics.median", statistics.median)):
            lab.check_equal(f"property holds for {name} ({cfg.examples} examples)",
                            _falsify(median_property, fn, cfg.examples), None)
        for name, fn in bugs.items():
            cx = _falsify(median_property, fn, cfg.examples)
            lab.check(f"hypothesis falsifies: {name}", cx is not None, "a counterexample",
                      cx, message="" if cx is None else
                      f"median {fn(cx)} vs statistics.median {statistics.median(cx)}")


def body(lab: kit.Lab) -> None:
    cfg = Config(examples=lab.pick(100, 200))
    src = (DATA / "sample" / "stats.py").read_text()
    planted = src.replace(cfg.bug_old, cfg.bug_new)
    equivalent = sorted(ln.strip() for ln in (DATA / "equivalent_mutants.txt").read_text()
                        .splitlines() if ln.strip() and not ln.startswith("#"))

    lab.section("mutants of stats.py")
    muts = []
    with lab.guard("mutants runs"):
        muts = list(mutants(src))
        base = _ops(ast.unparse(ast.parse(src)))
        lab.check_equal("one mutant per +,-,<,<=,>,>=,==,!= token (tokenize count)",
                        len(muts), len(_ops(src)))
        pairs = {(SYMBOL[a], SYMBOL[b]) for a, b in SWAP.items()}
        def one_swap(desc, m):
            ops = _ops(m)
            diff = [(a, b) for a, b in zip(base, ops, strict=False) if a != b]
            return (len(ops) == len(base) and len(diff) == 1 and diff[0] in pairs
                    and desc.endswith(f"{diff[0][0]} -> {diff[0][1]}"))
        bad = [d for d, m in muts if not one_swap(d, m)]
        lab.check_equal("each mutant swaps exactly one operator, as described (tokenize diff)",
                        bad, [])

    if lab.quick:  # keep the mutants of a few functions: fewer pytest runs
        spans = [(f.lineno, f.end_lineno) for f in ast.parse(src).body
                 if isinstance(f, ast.FunctionDef) and f.name in cfg.quick_functions]
        def inside(desc):
            line = desc.split(":")[0]
            return line.isdigit() and any(a <= int(line) <= b for a, b in spans)
        muts = [(d, m) for d, m in muts if inside(d)]
        equivalent = [d for d in equivalent if inside(d)]
        lab.note(f"--quick: {len(muts)} mutants of {', '.join(cfg.quick_functions)} run")
    tmp = Path(tempfile.mkdtemp(prefix="testing-lab-"))
    try:
        variants = {"original": src, "planted": planted,
                    **{f"mutant_{k:02d}": m for k, (_, m) in enumerate(muts)}}
        for name, code in variants.items():
            (tmp / name).mkdir()
            shutil.copy(DATA / "sample" / "test_stats.py", tmp / name)
            (tmp / name / "stats.py").write_text(code)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
               "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # other plugins: seconds per run
        with lab.timer() as t:  # pytest runs in the background while hypothesis works here
            p = subprocess.Popen([sys.executable, "-c", RUNNER, str(tmp / "res.json"),
                                  *[str(tmp / n) for n in variants]], cwd=tmp, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                _properties(lab, cfg, src, planted)
            finally:
                err = p.communicate(timeout=cfg.timeout_s)[1]
        lab.section("pytest + hypothesis on the original, the planted bug, the mutants")
        if not (tmp / "res.json").exists():
            raise RuntimeError(f"pytest runner failed: {err[-1500:]}")
        res = json.loads((tmp / "res.json").read_text())
        lab.metric("pytest_runs", len(variants))
        lab.metric("pytest_seconds", t.seconds, "s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    orig = res["original"]
    lab.check_equal("suite passes on the original (pytest exit 0, 9 tests)",
                    (orig["rc"], sorted(set(orig["tests"].values())), len(orig["tests"])),
                    (0, ["passed"], 9))
    failed = sorted(k for k, v in res["planted"]["tests"].items() if v == "failed")
    lab.check_equal("planted bug caught, by the property test only (unit tests miss it)",
                    (res["planted"]["rc"], failed), (1, ["test_median_matches_statistics"]))
    if muts:
        killed = [res[f"mutant_{k:02d}"]["rc"] == 1 for k in range(len(muts))]  # by index:
        ref = _behaviour(_load(src))  # two mutants on one line can share a description
        same = [_behaviour(_load(m)) == ref for _, m in muts]
        survivors = sorted(d for (d, _), k in zip(muts, killed, strict=True) if not k)
        lab.check_equal("surviving mutants = the known equivalent ones", survivors, equivalent)
        missed = [d for (d, _), k, e in zip(muts, killed, same, strict=True) if not (k or e)]
        lab.check_equal("survivors behave exactly like the original on an exhaustive grid",
                        missed, [])
        score = sum(killed) / max(1, len(muts) - sum(same))
        lab.metric("mutation_score_non_equivalent", score)
        _plot(lab, muts, killed, same)


def _plot(lab: kit.Lab, muts: list, killed: list, same: list) -> None:
    fig, ax = plt.subplots(figsize=(8, 3.6))
    names = [d for d, _ in muts]
    colors = ["tab:green" if k else ("tab:grey" if e else "tab:red")
              for k, e in zip(killed, same, strict=True)]
    ax.bar(range(len(names)), [1] * len(names), color=colors)
    ax.set_xticks(range(len(names)), names, rotation=60, fontsize=7, ha="right")
    ax.set_yticks([])
    ax.set(title="mutants of stats.py: green killed, grey equivalent survivor, red missed")
    lab.savefig(fig, "mutants.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("testing-quality", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
