"""Static analysis: fix a module until ruff, mypy --strict and pylint report nothing.

Linters and type checkers read source, not behaviour, and still find real bugs: a call with
a missing argument, ``Optional[int] + int`` (a crash the first time the value is None), a
mutable default argument shared between calls, a file opened in the platform's encoding. Each
tool sees different things. ruff (pyflakes, pycodestyle, isort, bugbear, pyupgrade rules) is
fast and broad; mypy ``--strict`` demands annotations everywhere and refuses ``Any`` leaking
out of a typed function; pylint infers more (no value for a parameter, an ``else`` after
``return``, ``open`` without an encoding). The fix is to change the code, never to silence the
tool with ``# type: ignore``, ``# noqa`` or ``# pylint: disable``, and the behaviour the tests
pin must not change. A team makes this a *quality gate*: the rules live in ``pyproject.toml``
(``[tool.ruff]``, ``[tool.mypy]``) so that every editor, pre-commit hook and CI job applies
the same ones with no flags.

The house rules: ruff with rules E, F, I, B and UP, lines up to 100 characters, Python 3.11;
mypy ``--strict`` for Python 3.11; pylint with its defaults. You fix ``ORIGINAL`` (the module
``inventory.py``) until the three real tools, run with those rules, report nothing and the
lab's tests ``TESTS`` still pass; then you write the ``pyproject.toml`` of the gate, which the
lab runs ruff and mypy with on probe files, each hiding one issue the gate must catch, plus a
clean one it must let through.

$ python labs/static_analysis.py --quick
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
import tomllib
from dataclasses import dataclass
from pathlib import Path

import kit

EXERCISES = ("fixed_module", "quality_gate")
DATA = Path(__file__).resolve().parent / "data" / "static_analysis"
ORIGINAL = DATA / "inventory.py.txt"  # the module with the issues (stored as .txt)
TESTS = DATA / "test_inventory.py"  # the behaviour that must not change
PROBES = DATA / "probes"  # one issue per file, and clean.py (stored as NAME.py.txt)
HOUSE_RULES = {  # the gate as command-line flags
    "ruff": ["--select", "E,F,I,B,UP", "--line-length", "100", "--target-version", "py311"],
    "mypy": ["--strict", "--python-version", "3.11"],
}
PROBE_FINDS = {  # probe file -> (tool, code) the gate must report there
    "unused_import.py": ("ruff", "F401"), "unsorted_imports.py": ("ruff", "I001"),
    "mutable_default.py": ("ruff", "B006"), "long_line.py": ("ruff", "E501"),
    "old_optional.py": ("ruff", "UP045"), "utc_alias.py": ("ruff", "UP017"),
    "untyped_def.py": ("mypy", "no-untyped-def"),
    "any_return.py": ("mypy", "no-any-return"),
}
CACHE = Path(tempfile.gettempdir()) / "roadmap-lab-mypy"  # warm typeshed: 1 s -> 0.2 s a run
SUPPRESS = re.compile(r"type:\s*ignore|noqa|pylint:\s*disable", re.I)


@dataclass
class Config:
    timeout_s: float = 180.0  # per tool


# ----------------------------------------------------------------- exercises
def fixed_module() -> str:
    """The source of ``ORIGINAL`` fixed: ruff, mypy and pylint with ``HOUSE_RULES`` report
    nothing, and the tests in ``TESTS`` still pass (keep every name and parameter).

    Change the code, never silence a tool: no ``# type: ignore``, ``# noqa`` or
    ``# pylint: disable`` comment.
    """
    return '''\
"""Inventory of a small shop: load the stock, add items, look them up, report."""

import json


def load(path: str) -> dict[str, int]:
    """Read a stock file: a JSON object mapping item names to units."""
    with open(path, encoding="utf-8") as f:
        stock: dict[str, int] = json.load(f)
    return stock


def add_item(name: str, qty: int, store: dict[str, int] | None = None) -> dict[str, int]:
    """Add ``qty`` units of ``name`` to ``store`` (a new store when none is given)."""
    if store is None:
        store = {}
    store[name] = store.get(name, 0) + qty
    return store


def total(store: dict[str, int]) -> int:
    """Units in stock, all items together."""
    return sum(store.values())


def find(store: dict[str, int], name: str) -> int | None:
    """Units of ``name`` in stock, or None when the shop never stocked it."""
    return store.get(name)


def describe(store: dict[str, int], name: str) -> str:
    """One line for ``name``: ``"name: units"``."""
    return f"{name}: {store[name]}"


def after_restock(store: dict[str, int], name: str, qty: int) -> int:
    """Units of ``name`` once ``qty`` more arrive (an item never stocked starts at 0)."""
    current = find(store, name)
    return (0 if current is None else current) + qty


def report(store: dict[str, int]) -> str:
    """``"N items, M units"`` for the whole store."""
    return f"{len(store)} items, {total(store)} units"
'''


def quality_gate() -> str:
    """A ``pyproject.toml`` that makes ruff and mypy apply ``HOUSE_RULES`` with no flags.

    ``[tool.ruff]``: lines up to 100, target Python 3.11, lint rules E, F, I, B and UP;
    ``[tool.mypy]``: strict, Python 3.11. The lab runs ``ruff check --config`` and ``mypy
    --config-file`` with it on the files in ``PROBES``: each must report the issue its file
    holds (``PROBE_FINDS``), and ``clean.py`` must get no finding at all.
    """
    return """\
[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "I", "B", "UP"]

[tool.mypy]
python_version = "3.11"
strict = true
"""


# ------------------------------------------------------------------------- tools
def _start(cmd: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", *cmd], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def findings(tool: str, out: str) -> dict[str, list[str]]:
    """A tool's report as ``{file name: ["line CODE message", ...]}``."""
    found: dict[str, list[str]] = {}
    if tool == "ruff":
        for d in json.loads(out or "[]"):
            found.setdefault(Path(d["filename"]).name, []).append(
                f"{d['location']['row']} {d['code']} {d['message']}")
    for ln in out.splitlines() if tool in ("mypy", "pylint") else []:
        m = re.match(r"^(.+?):(\d+):(?:\d+:)? (?:error: (.*)\[([\w-]+)\]|([A-Z]\d{4}) (.*))$", ln)
        if m:
            code, msg = (m[4], m[3].strip()) if m[4] else (m[5], m[6])
            found.setdefault(Path(m[1]).name, []).append(f"{m[2]} {code} {msg}")
    return found


def _run(cmds: dict[str, list[str]], files: dict[str, str], timeout: float) -> dict:
    """Run the commands at once in a fresh folder holding ``files`` (name -> text) and the
    module's tests and the probes; returns ``{name: (exit code, stdout, stderr)}``."""
    tmp = Path(tempfile.mkdtemp(prefix="static-lab-"))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text)
        shutil.copy(ORIGINAL, tmp / "inventory_original.py")
        shutil.copy(TESTS, tmp / "test_inventory.py")
        (tmp / "probes").mkdir()
        for probe in PROBES.glob("*.py.txt"):  # stored as .txt so the project's linters skip them
            shutil.copy(probe, tmp / "probes" / probe.name.removesuffix(".txt"))
        procs = {k: _start(c, tmp) for k, c in cmds.items()}
        res = {}
        for k, p in procs.items():
            out, err = p.communicate(timeout=timeout)
            res[k] = (p.returncode, out, err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


@kit.cached  # the tools are deterministic: the same module text gets the same findings
def module_tools(module: str, timeout: float) -> dict:
    """ruff, mypy and pylint with the house rules on the module and its original, and the
    lab's tests on the module."""
    files = ["inventory.py", "inventory_original.py"]
    return _run({"ruff": ["ruff", "check", "--no-cache", "--isolated", *HOUSE_RULES["ruff"],
                          "--output-format", "json", *files],
                 "mypy": ["mypy", *HOUSE_RULES["mypy"], "--cache-dir", str(CACHE / "house"),
                          *files],
                 "pylint": ["pylint", "--persistent=n", "--score=n",
                            "--msg-template={path}:{line}: {msg_id} {msg}", *files],
                 "pytest": ["pytest", "-q", "-p", "no:cacheprovider", "test_inventory.py"]},
                {"inventory.py": module}, timeout)


@kit.cached  # the same gate text gets the same findings on the probes
def gate_tools(gate: str, timeout: float) -> dict:
    """ruff and mypy configured by the gate's pyproject.toml, on the probes."""
    probes = sorted(f"probes/{p.name.removesuffix('.txt')}" for p in PROBES.glob("*.py.txt"))
    return _run({"gate ruff": ["ruff", "check", "--no-cache", "--config", "pyproject.toml",
                               "--output-format", "json", *probes],
                 "gate mypy": ["mypy", "--config-file", "pyproject.toml", "--cache-dir",
                               str(CACHE / "gate"), *probes]},
                {"pyproject.toml": gate}, timeout)


def run_tools(module: str, gate: str | None, cfg: Config) -> dict:
    """Run ruff, mypy, pylint and pytest on the module (and its original), and ruff and mypy
    with the gate on the probes; returns findings per tool and the test result."""
    res = dict(module_tools(module, cfg.timeout_s))
    if gate is not None:
        res.update(gate_tools(gate, cfg.timeout_s))
    tools = {k: findings(k.split()[-1], res[k][1]) for k in res if k != "pytest"}
    for k in ("ruff", "mypy", "pylint"):  # a tool that failed to run must not read as clean
        if res[k][0] != 0 and not tools[k]:
            tools[k] = {"inventory.py": [f"{k} exit {res[k][0]}: {res[k][2][-300:]}"],
                        "inventory_original.py": ["(did not run)"]}
    for k in ("gate ruff", "gate mypy"):  # a gate the tool cannot read finds nothing
        if k in res and res[k][0] not in (0, 1):
            tools[k] = {"(config)": [f"{k.split()[-1]} exit {res[k][0]}: {res[k][2][-300:]}"]}
    return {"tools": tools, "pytest": res["pytest"]}


# ------------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    cfg = Config()
    gate = None
    with lab.guard("quality_gate runs"):
        gate = quality_gate()
        try:
            tomllib.loads(gate)
        except tomllib.TOMLDecodeError as exc:
            lab.check("pyproject.toml parses as TOML", False, "valid TOML", str(exc))
            gate = None
    module, original = None, ORIGINAL.read_text()
    with lab.guard("fixed_module runs"):
        module = fixed_module()
    with lab.timer() as t:
        res = run_tools(original if module is None else module, gate, cfg)
    lab.metric("tools_seconds", t.seconds, "s")
    tools = res["tools"]

    lab.section("the original module, judged by the house rules (what you start from)")
    counts = {k: len(tools[k].get("inventory_original.py", [])) for k in ("ruff", "mypy",
                                                                         "pylint")}
    with lab.shown():
        lab.check("each tool reports issues in ORIGINAL", min(counts.values()) > 0,
                  "> 0 per tool", counts)

    lab.section("your module: ruff, mypy --strict, pylint and the tests")
    if module is not None:
        for tool in ("ruff", "mypy", "pylint"):
            lab.check_equal(f"{tool} ({' '.join(HOUSE_RULES.get(tool, ['defaults']))}): "
                            "no findings", tools[tool].get("inventory.py", []), [],
                            hint="fix the code the finding points at; the message says how")
        rc, out, err = res["pytest"]
        last = (out.strip().splitlines() or [err.strip()[-200:]])[-1]
        lab.check("the lab's tests pass on your module (pytest)", rc == 0, "exit 0, all passed",
                  f"exit {rc}: {last}", hint="a fix changed behaviour the tests pin")
        comments = [t.string for t in tokenize.generate_tokens(io.StringIO(module).readline)
                    if t.type == tokenize.COMMENT and SUPPRESS.search(t.string)]
        lab.check_equal("no suppression comments (fix the code, not the tool)", comments, [])
        lab.table("findings", ["tool", "original", "yours"],
                  [[k, counts[k], len(tools[k].get("inventory.py", []))] for k in counts],
                  title="findings per tool, with the house rules")

    lab.section("your quality gate, run on the probes")
    if gate is not None:
        gate_found = {f: tools["gate ruff"].get(f, []) + tools["gate mypy"].get(f, [])
                      for f in [*PROBE_FINDS, "clean.py", "(config)"]}
        for f, (tool, code) in PROBE_FINDS.items():
            hit = [x for x in gate_found[f] if x.split()[1] == code]
            lab.check(f"gate: {tool} reports {code} in probes/{f}", bool(hit), code,
                      gate_found[f] + gate_found["(config)"] or "nothing",
                      hint="is the rule selected, and the section named [tool.ruff]/[tool.mypy]?")
        lab.check_equal("gate: probes/clean.py gets no finding", gate_found["clean.py"], [],
                        hint="select the house rules, not every rule")
    if gate is not None and module is not None:
        lab.conclude(f"ruff, mypy --strict and pylint found {sum(counts.values())} issues in "
                     "the original and none in your module, whose tests still pass, and your "
                     f"pyproject.toml gate caught all {len(PROBE_FINDS)} probe issues while "
                     "letting clean code through.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("static-analysis", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
