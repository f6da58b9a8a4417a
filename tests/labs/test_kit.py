"""The lab contract itself: graded and shown checks, --only, skipped, the lesson, the JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import LABS, lab_env

LAB = textwrap.dedent('''
    """Twice: doubling a number.

    The learner writes ``double``; ``triple`` is a second exercise.

    $ python labs/twice.py --quick
    """
    import os

    import kit

    EXERCISES = ("double", "triple")


    def double(x):
        """Return ``2 * x``."""
        return 2 * x


    def triple(x):
        """Return ``3 * x``."""
        return 3 * x


    def body(lab):
        with lab.guard("double runs"):
            lab.check_equal("double(4) = 8", double(4), 8, hint="multiply, do not add")
        lab.check_equal("triple(2) = 6", triple(2), 6)
        with lab.shown():
            lab.check("the shipped data is sane", os.environ.get("TWICE_DATA") != "broken")
        if os.environ.get("TWICE_SKIP"):
            lab.skip("the optional framework is missing", "pip install twice-framework")
        if os.environ.get("TWICE_ONLY_SHOWN"):
            lab.checks[:] = [c for c in lab.checks if not c.graded]
        lab.table("doubles", ["x", "2x"], [[x, double(x)] for x in range(3)], title="doubling")
        if os.environ.get("TWICE_PLOT"):
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots()
            ax.plot([0, 1, 2], [double(x) for x in range(3)])
            lab.savefig(fig, "doubles.png")
        lab.conclude(f"your double matched 2x on {3} inputs")


    def main(argv=None):
        return kit.run("twice", body, globals(), argv)


    if __name__ == "__main__":
        raise SystemExit(main())
''')


@pytest.fixture
def twice(tmp_path: Path) -> Path:
    (tmp_path / "labs").mkdir()
    shutil.copy(LABS / "kit.py", tmp_path / "labs" / "kit.py")
    lab = tmp_path / "labs" / "twice.py"
    lab.write_text(LAB)
    return lab


def run(lab: Path, *args: str, **env: str) -> tuple[int, str, dict]:
    out = lab.parent.parent / "result.json"
    proc = subprocess.run([sys.executable, str(lab), "--quick", "--json", str(out),
                           "--out", str(lab.parent.parent / "out"), *args],
                          capture_output=True, text=True, env={**lab_env(), **env}, timeout=60)
    return proc.returncode, proc.stdout + proc.stderr, json.loads(out.read_text())


def solution(tmp: Path, text: str) -> Path:
    p = tmp / "solution.py"
    p.write_text(textwrap.dedent(text))
    return p


def test_reference_run_records_graded_shown_table_and_takeaway(twice: Path) -> None:
    code, out, res = run(twice)
    assert code == 0 and res["status"] == "pass" and res["schema"] == 2
    graded = {c["name"]: c["graded"] for c in res["checks"]}
    assert graded == {"double(4) = 8": True, "triple(2) = 6": True,
                      "the shipped data is sane": False}
    assert res["takeaway"] == "your double matched 2x on 3 inputs"
    table = next(a for a in res["artifacts"] if a["kind"] == "table")
    assert json.loads(Path(table["path"]).read_text())["rows"] == [["0", "0"], ["1", "2"],
                                                                   ["2", "4"]]
    assert out.index("Twice: doubling a number.") < out.index("# lab twice")  # the lesson
    assert "$ python labs/twice.py" not in out
    assert "graded checks passed" in out and "shown, not graded" in out
    assert out.rstrip().endswith("twice: PASS")
    assert "your double matched 2x on 3 inputs" in out


def test_a_failing_shown_check_fails_the_reference_but_not_a_learner(twice: Path) -> None:
    code, _, res = run(twice, TWICE_DATA="broken")
    assert code == 1 and res["status"] == "fail"
    sol = solution(twice.parent.parent, "def double(x):\n    return x + x\n"
                                        "def triple(x):\n    return x * 3\n")
    code, _, res = run(twice, "--solution", str(sol), TWICE_DATA="broken")
    assert code == 0 and res["status"] == "pass" and res["solution"] == "learner"


def test_a_failing_graded_check_fails_the_learner_with_its_hint(twice: Path) -> None:
    sol = solution(twice.parent.parent, "def double(x):\n    return x + 2\n"
                                        "def triple(x):\n    return x * 3\n")
    code, out, res = run(twice, "--solution", str(sol))
    assert code == 1 and res["status"] == "fail"
    failed = [c for c in res["checks"] if not c["passed"]]
    assert [c["name"] for c in failed] == ["double(4) = 8"]
    assert failed[0]["hint"] == "multiply, do not add" and "hint: multiply" in out
    assert "your double matched" not in out  # no takeaway for a failed run


def test_a_lab_with_only_shown_checks_fails(twice: Path) -> None:
    code, _, res = run(twice, TWICE_ONLY_SHOWN="1")
    assert code == 1 and res["status"] == "fail"
    assert any(c["name"] == "lab grades something" and not c["passed"] for c in res["checks"])


def test_only_swaps_in_one_function_and_is_never_verified(twice: Path) -> None:
    sol = solution(twice.parent.parent, "def double(x):\n    return x + 1\n")
    code, _, res = run(twice, "--solution", str(sol), "--only", "double")
    assert code == 1 and res["solution"] == "partial"
    assert [c["name"] for c in res["checks"] if not c["passed"]] == ["double(4) = 8"]
    code, out, res = run(twice, "--solution", str(sol), "--only", "quadruple")
    assert code == 2 and "not exercises of twice" in out
    code, out, _ = run(twice, "--only", "double")
    assert code == 2 and "--only needs --solution" in out


def test_only_runs_draw_no_plots_whole_runs_do(twice: Path) -> None:
    sol = solution(twice.parent, "def double(x):\n    return x + x\n"
                                 "def triple(x):\n    return 3 * x\n")
    png = twice.parent.parent / "out" / "doubles.png"
    code, out, res = run(twice, "--solution", str(sol), "--only", "double", TWICE_PLOT="1")
    assert code == 0 and not png.exists() and "drawn by a whole run" in out
    assert {a["kind"] for a in res["artifacts"]} == {"table"}
    code, _, res = run(twice, "--solution", str(sol), TWICE_PLOT="1")
    assert code == 0 and png.is_file()
    assert {a["kind"] for a in res["artifacts"]} == {"table", "image"}


def test_a_solution_that_borrows_the_labs_own_functions_is_refused(twice: Path) -> None:
    sol = solution(twice.parent.parent, "from twice import double, triple\n")
    code, out, res = run(twice, "--solution", str(sol))
    assert code == 2 and res["status"] == "error"
    assert "takes double, triple from the lab itself" in out


def test_skip_is_its_own_status_and_exit_code(twice: Path) -> None:
    code, out, res = run(twice, TWICE_SKIP="1")
    assert code == 4 and res["status"] == "skipped"
    assert "pip install twice-framework" in res["error"] and "skipped" in out


def test_untouched_exercise_is_a_failed_graded_check(twice: Path) -> None:
    sol = solution(twice.parent.parent, "def double(x):\n    raise NotImplementedError\n"
                                        "def triple(x):\n    return 3 * x\n")
    code, _, res = run(twice, "--solution", str(sol))
    assert code == 1
    failed = next(c for c in res["checks"] if not c["passed"])
    assert failed["name"] == "double runs" and failed["graded"]
    assert "not implemented yet" in failed["message"]


def test_the_driver_restores_the_labs_own_functions_between_runs(twice: Path) -> None:
    """A mutant bound with --only must not leak into the next run of the same process."""
    tmp = twice.parent.parent
    bad = solution(tmp, "def double(x):\n    return x + 3\n")
    plan = [{"id": rid, "args": ["--quick", "--out", str(tmp / f"o{i}"), *args],
             "json": str(tmp / f"r{i}.json"), "log": str(tmp / f"l{i}.txt")}
            for i, (rid, args) in enumerate([
                ("mutant", ["--solution", str(bad), "--only", "double"]),
                ("reference", []),
                ("other-mutant", ["--solution", str(bad), "--only", "triple"])])]
    bad.write_text("def double(x):\n    return x + 3\n\ndef triple(x):\n    return x * 3\n")
    (tmp / "plan.json").write_text(json.dumps(plan))
    subprocess.run([sys.executable, str(Path(__file__).parent / "driver.py"), str(twice),
                    str(tmp / "plan.json")], check=True, env=lab_env(), timeout=120)
    codes = json.loads((tmp / "codes.json").read_text())
    assert codes == {"mutant": 1, "reference": 0, "other-mutant": 0}
