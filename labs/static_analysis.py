"""Static analysis: ruff, pylint, mypy and black find problems without running the code.

Linters read source, not behaviour. ruff (fast, pyflakes/pycodestyle/bugbear rules) and
pylint (deeper, with inference: wrong call arity, unused arguments) flag likely bugs and
style issues; mypy checks type hints (a ``str`` returned where ``int`` is declared, an
``Optional[int]`` used as an ``int``); black rewrites layout so that formatting is never a
review topic, and guarantees the code's AST is unchanged. In CI each tool is a gate; in
code review they free humans for design questions. Each tool reports in its own format,
so teams normalise the reports (here to ``(line, code)`` pairs) to compare and track them.

The lab copies a module with planted issues (``labs/data/static_analysis``) to a temp dir and
runs the four real tools on it as subprocesses (in parallel). The learner writes
``parse_findings`` (ruff JSON, pylint json2, mypy text -> a set of ``(line, code)``) and
``black_changed_lines`` (original line numbers that black's unified diff rewrites). Checks:
every planted issue is reported by its tool, each parsed count equals the tool's own summary
(ruff ``--statistics``, pylint's message-type counts, mypy's "Found N errors"), black changes
exactly the planted lines, and black's output passes ``black --check`` with the same AST.

$ python labs/static_analysis.py --quick
"""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("parse_findings", "black_changed_lines")
DATA = Path(__file__).resolve().parent / "data" / "static_analysis"


@dataclass
class Config:
    ruff_rules: str = "E,F,B"  # pycodestyle errors, pyflakes, bugbear
    timeout_s: float = 120.0  # per tool


# ----------------------------------------------------------------- exercises
def parse_findings(tool: str, output: str) -> set[tuple[int, str]]:
    """Normalise one tool's report to ``{(line, code)}``.

    ``tool`` is ``"ruff"`` (``--output-format json``: a list of objects with ``code`` and
    ``location.row``), ``"pylint"`` (``--output-format json2``: ``messages`` with
    ``messageId`` and ``line``) or ``"mypy"`` (text lines ``file:line: error: text  [code]``;
    notes and the summary line are not findings).
    """
    if tool == "ruff":
        return {(d["location"]["row"], d["code"]) for d in json.loads(output)}
    if tool == "pylint":
        return {(m["line"], m["messageId"]) for m in json.loads(output)["messages"]}
    if tool == "mypy":
        found = set()
        for ln in output.splitlines():
            m = re.match(r"^.+?:(\d+):(?:\d+:)? error: .*\[([\w-]+)\]\s*$", ln)
            if m:
                found.add((int(m.group(1)), m.group(2)))
        return found
    raise ValueError(f"unknown tool {tool!r}")


def black_changed_lines(diff: str) -> set[int]:
    """Line numbers of the *original* file that a unified diff removes or replaces
    (``@@ -start,count +start,count @@`` hunks; pure insertions change no original line)."""
    changed, line = set(), 0
    for ln in diff.splitlines():
        if ln.startswith("@@"):
            line = int(re.match(r"@@ -(\d+)", ln).group(1))
        elif ln.startswith(("---", "+++")) and line == 0:
            continue  # file header
        elif ln.startswith("-"):
            changed.add(line)
            line += 1
        elif ln.startswith(" "):
            line += 1
    return changed


# ------------------------------------------------------------------------- lab
def _tools(cfg: Config, path: Path) -> dict[str, list[str]]:
    py, f = sys.executable, str(path)
    ruff = [py, "-m", "ruff", "check", "--isolated", "--select", cfg.ruff_rules]
    return {"ruff": [*ruff, "--output-format", "json", f],
            "ruff_stats": [*ruff, "--statistics", f],
            "pylint": [py, "-m", "pylint", "--output-format=json2", "--persistent=n", f],
            "mypy": [py, "-m", "mypy", "--cache-dir", "/dev/null", "--no-color-output", f],
            "black": [py, "-m", "black", "--check", "--diff", "-q", f]}


def run_tools(cfg: Config, path: Path) -> dict[str, tuple[int, str]]:
    """Start every tool at once (2 cores), then collect (exit code, stdout) per tool."""
    procs = {name: subprocess.Popen(cmd, cwd=path.parent, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
             for name, cmd in _tools(cfg, path).items()}
    out = {}
    for name, p in procs.items():
        stdout, stderr = p.communicate(timeout=cfg.timeout_s)
        out[name] = (p.returncode, stdout)
        if p.returncode not in (0, 1) and name != "pylint":  # pylint: bit-coded exit
            raise RuntimeError(f"{name} failed ({p.returncode}): {stderr[-800:]}")
    return out


def body(lab: kit.Lab) -> None:
    cfg = Config()
    with open(DATA / "planted.csv", newline="") as f:
        planted = [(r["tool"], int(r["line"]), r["code"]) for r in csv.DictReader(f)]
    tmp = Path(tempfile.mkdtemp(prefix="static-lab-"))
    try:
        sample = tmp / "inventory.py"
        shutil.copy(DATA / "inventory.py.txt", sample)
        with lab.timer() as t:
            res = run_tools(cfg, sample)
        lab.metric("tools_seconds", t.seconds, "s")
        lab.section("black: format, then check (AST unchanged)")
        before = ast.dump(ast.parse(sample.read_text()))
        fmt = subprocess.run([sys.executable, "-m", "black", "-q", str(sample)],
                             capture_output=True, text=True, timeout=cfg.timeout_s)
        again = subprocess.run([sys.executable, "-m", "black", "--check", "-q", str(sample)],
                               capture_output=True, timeout=cfg.timeout_s)
        lab.check_equal("black --check: 1 before, 0 after formatting; AST unchanged",
                        (res["black"][0], fmt.returncode, again.returncode,
                         ast.dump(ast.parse(sample.read_text())) == before), (1, 0, 0, True))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    lab.section("each planted issue reported by its tool")
    want_black = {ln for tool, ln, _ in planted if tool == "black"}
    with lab.guard("black_changed_lines runs"):
        lab.check_equal("black's diff rewrites exactly the planted lines",
                        sorted(black_changed_lines(res["black"][1])), sorted(want_black))
    oracle_count = {
        "ruff": int(re.search(r"Found (\d+) error", res["ruff_stats"][1]).group(1)),
        "pylint": sum(json.loads(res["pylint"][1])["statistics"]["messageTypeCount"].values()),
        "mypy": int(re.search(r"Found (\d+) error", res["mypy"][1]).group(1)),
    }
    found = {}
    for tool in ("ruff", "pylint", "mypy"):
        with lab.guard(f"parse_findings runs ({tool})"):
            found[tool] = set(parse_findings(tool, res[tool][1]))
            want = {(ln, code) for t, ln, code in planted if t == tool}
            lab.check_equal(f"{tool}: every planted issue reported (missing ones listed)",
                            sorted(want - found[tool]), [])
            lab.check_equal(f"{tool}: parsed findings = the tool's own count",
                            len(found[tool]), oracle_count[tool])
            lab.metric(f"{tool}_findings", len(found[tool]))
    _plot(lab, found, planted)


def _plot(lab: kit.Lab, found: dict, planted: list) -> None:
    fig, ax = plt.subplots(figsize=(8, 3.4))
    for i, tool in enumerate(found):
        lines = sorted(ln for ln, _ in found[tool])
        ax.scatter(lines, [i] * len(lines), s=60, alpha=0.6, label=f"{tool} findings")
        hit = [ln for t, ln, _ in planted if t == tool]
        ax.scatter(hit, [i] * len(hit), s=160, facecolors="none", edgecolors="red")
    hit = [ln for t, ln, _ in planted if t == "black"]
    ax.scatter(hit, [len(found)] * len(hit), s=160, facecolors="none", edgecolors="red")
    ax.set_yticks(range(len(found) + 1), [*found, "black"])
    ax.set(xlabel="line of inventory.py", title="findings per tool (red rings: planted issues)")
    lab.savefig(fig, "findings.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("static-analysis", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
