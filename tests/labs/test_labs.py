"""Every lab is honest: its reference passes, and a learner passes only by writing the skill.

For each lab (one driver process runs all of a lab's cases, see conftest.py):
- the reference passes in --quick mode at two seeds, grades something, concludes with its
  key result and leaves a plot or a table;
- the untouched starter fails cleanly ("not implemented yet"), and opens with the lesson;
- each mutant (one realistic bug in one exercise function) fails at least one graded check,
  and every graded check is failed by some mutant (a check no bug can fail is not graded);
- the alternative solution in another idiom passes (tolerances never reject correct code).
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
from pathlib import Path

import pytest

from graph.starter import make_starter

from .conftest import (
    ALT,
    HARNESS_LABS,
    LAB_FILES,
    LEGACY,
    NO_ALT,
    WRONG,
    exercises_of,
    lab_param,
    mutants_of,
    run_lab,
)

pytestmark = pytest.mark.slow

ALL = [lab_param(p) for p in LAB_FILES]
HARNESS = [lab_param(p) for p in HARNESS_LABS]
MUTANTS = [lab_param(p, m, id=f"{p.stem}-{m.stem}") for p in HARNESS_LABS for m in mutants_of(p)]


def _no_traceback(r) -> None:
    assert "Traceback" not in r.output, r.describe()


@pytest.mark.parametrize("lab", ALL)
@pytest.mark.parametrize("run", ["reference", "reference-seed-1"])
def test_reference_passes(lab: Path, run: str, lab_runs) -> None:
    r = lab_runs(lab)[run]
    assert r.returncode == 0, r.describe()
    res = r.result
    assert res is not None and res["status"] == "pass", r.describe()
    assert res["quick"] is True and res["device"] == "cpu" and res["solution"] == "reference"
    assert res["checks"] and all(c["passed"] for c in res["checks"]), r.describe()
    for art in res["artifacts"]:
        assert Path(art["path"]).is_file(), f"artifact {art['path']} was not written"
    assert "PASS" in r.output


@pytest.mark.parametrize("lab", HARNESS)
def test_reference_grades_concludes_and_shows(lab: Path, lab_runs) -> None:
    res = lab_runs(lab)["reference"].result
    assert res is not None
    assert any(c["graded"] for c in res["checks"]), "no graded check"
    assert res["takeaway"], "the lab never states its key result (lab.conclude)"
    kinds = {a["kind"] for a in res["artifacts"]}
    assert kinds & {"image", "table"}, f"no plot or table a learner learns from: {kinds}"


@pytest.mark.parametrize("lab", ALL)
def test_untouched_starter_fails_cleanly(lab: Path, lab_runs) -> None:
    r = lab_runs(lab)["starter"]
    assert r.returncode == 1, r.describe()
    assert r.result["status"] == "fail"
    assert any("not implemented yet" in c["message"] for c in r.result["checks"]), r.describe()
    _no_traceback(r)


def test_every_lab_is_on_the_harness() -> None:
    """The old whole-file wrong solutions are gone: every lab has its mutants instead."""
    assert not LEGACY, f"labs still judged by one whole wrong solution: {sorted(LEGACY)}"


@pytest.mark.parametrize("lab, mutant", MUTANTS)
def test_mutant_fails_a_graded_check(lab: Path, mutant: Path, lab_runs) -> None:
    r = lab_runs(lab)[f"mutant:{mutant.stem}"]
    assert r.returncode == 1, r.describe()
    assert r.result["status"] == "fail" and r.result["solution"] == "partial", r.describe()
    assert r.graded_failures, f"{mutant.name}: no graded check caught this bug\n{r.describe()}"
    _no_traceback(r)


@pytest.mark.parametrize("lab", HARNESS)
def test_every_graded_check_is_failed_by_some_mutant(lab: Path, lab_runs) -> None:
    runs = lab_runs(lab)
    graded = {c["name"] for c in runs["reference"].result["checks"] if c["graded"]}
    caught: set[str] = set()
    for rid, r in runs.items():
        if rid.startswith("mutant:"):
            caught.update(r.graded_failures)
    never = sorted(graded - caught)
    assert not never, (f"graded checks that no mutant fails (make them shown, or add the "
                       f"mutant that they catch): {never}")


@pytest.mark.parametrize("lab", HARNESS)
def test_every_exercise_function_has_a_mutant(lab: Path) -> None:
    names = exercises_of(lab)
    stray = [m.name for m in mutants_of(lab) if m.stem.split("__")[0] not in names]
    assert not stray, f"mutants named after no exercise of {lab.stem}: {stray}"
    covered = {m.stem.split("__")[0] for m in mutants_of(lab)}
    assert not set(names) - covered, (
        f"exercise functions without a mutant in {WRONG / lab.stem}: "
        f"{sorted(set(names) - covered)}")
    assert not (WRONG / lab.name).exists(), "the whole-file wrong solution is replaced by mutants"


@pytest.mark.parametrize("lab", HARNESS)
def test_alternative_solution_passes(lab: Path, lab_runs) -> None:
    if lab.stem in NO_ALT:
        assert not (ALT / lab.name).exists(), "NO_ALT lists a lab that has an alternative"
        assert NO_ALT[lab.stem], "say why this lab has no alternative solution"
        return
    assert (ALT / lab.name).is_file(), f"numeric labs need an alternative at {ALT / lab.name}"
    r = lab_runs(lab)["alt"]
    assert r.returncode == 0, r.describe()
    assert r.result["status"] == "pass" and r.result["solution"] == "learner", r.describe()


@pytest.mark.parametrize("lab", ALL)
def test_starter_opens_with_the_lesson(lab: Path) -> None:
    text = make_starter(lab, lab.stem.replace("_", "-"))
    doc = ast.get_docstring(ast.parse(lab.read_text()))
    assert doc, f"{lab.name} has no module docstring (the lesson)"
    assert ast.get_docstring(ast.parse(text)) == doc


_NAME = re.compile(r"`{1,2}([A-Za-z_][A-Za-z0-9_]*)(?:\(|\.|`)")


def _names_used_in_code(tree: ast.Module) -> set[str]:
    """Attribute names, keyword-argument names and words of (non-doc) strings in a lab."""
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    used: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute):
            used.add(n.attr)
        elif isinstance(n, ast.keyword) and n.arg:
            used.add(n.arg)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
            used |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", n.value))
    return used


@pytest.mark.parametrize("lab", HARNESS)
def test_exercise_docstrings_name_only_what_the_starter_has(lab: Path) -> None:
    """A name in backticks in an exercise's docstring is a parameter, a builtin, something
    the starter defines or imports, or an attribute, key or keyword the lab's code uses;
    anything else sends the learner looking for a name that does not exist (NameError)."""
    starter = ast.parse(make_starter(lab, lab.stem.replace("_", "-")))
    known = set(dir(builtins)) | set(keyword.kwlist) | _names_used_in_code(
        ast.parse(lab.read_text()))
    for stmt in starter.body:
        if isinstance(stmt, ast.Import):
            known |= {(a.asname or a.name).split(".")[0] for a in stmt.names}
        elif isinstance(stmt, ast.ImportFrom):
            known |= {a.asname or a.name for a in stmt.names}
        elif isinstance(stmt, ast.FunctionDef):
            known.add(stmt.name)
    problems = []
    for stmt in starter.body:
        if not isinstance(stmt, ast.FunctionDef):
            continue
        params = {a.arg for a in (*stmt.args.posonlyargs, *stmt.args.args,
                                  *stmt.args.kwonlyargs)}
        params |= {a.arg for a in (stmt.args.vararg, stmt.args.kwarg) if a is not None}
        for name in _NAME.findall(ast.get_docstring(stmt) or ""):
            if len(name) > 1 and name not in known | params and (
                    name[0].isupper() or "_" in name.strip("_")):
                problems.append(f"{stmt.name}: `{name}`")
    assert not problems, ("exercise docstrings name things the starter does not have "
                          f"(a learner would get a NameError): {problems}")


def test_labs_were_found() -> None:
    assert LAB_FILES, "no lab scripts found under labs/"


@pytest.mark.parametrize("name", ["distributed_training", "data_loading"])
def test_labs_that_start_processes_pass_with_default_thread_pools(name: str,
                                                                  tmp_path: Path) -> None:
    """A rank forked after torch's CPU thread pool started once hung here (OMP=1 hid it)."""
    r = run_lab(LAB_FILES[0].parent / f"{name}.py", tmp_path, one_thread=False, timeout=90)
    assert r.returncode == 0 and r.result["status"] == "pass", r.describe()
