"""Virtual environments and dependency resolution: venv, conda, pins and specifiers.

A virtual environment is a folder with its own ``site-packages`` and a ``pyvenv.cfg``
whose ``home`` points at the base interpreter: running its ``bin/python`` sets
``sys.prefix`` to the folder (``sys.base_prefix`` stays the base install), so packages
installed there are invisible to other environments. ``virtualenv`` is the older
third-party tool that the standard ``venv`` module grew out of. **conda** goes further:
an environment holds any binaries (Python itself, CUDA runtime, MKL, compilers), packages
come from channels (``defaults``, ``conda-forge``), ``environment.yml`` describes one,
and conda's own SAT solver (libmamba) resolves them; pip packages can sit on top in a
``pip:`` section. No conda is needed here: the lab writes an ``environment.yml`` to read.

Dependency management is solving constraints: each requirement (``numpy>=1.24,<2``) is a
PEP 440 *specifier set*; a resolver picks one version per package so that every
requirement of the chosen versions holds, newest first, backtracking when a choice leads
to a conflict. A lock file pins the answer (``name==version``) so it is reproducible.

The lab creates a real venv (``venv.EnvBuilder(with_pip=False)``) in a temp dir and checks
its isolation. The learner writes ``specifier_allows`` (PEP 440 comparison by hand) and
``resolve`` (a backtracking resolver), checked against the ``packaging`` library and a
brute-force search over every combination of an offline toy index (invented metadata).

$ python labs/environments_dependencies.py --quick
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("specifier_allows", "resolve")

INDEX = {  # toy offline index: name -> version -> requirements of that version (invented)
    "numpy": {"1.24.4": [], "1.26.4": [], "2.0.2": [], "2.1.0": []},
    "torch": {"2.2.0": ["numpy<2", "sympy", "typing-ext>=4.7"],
              "2.4.1": ["numpy>=1.22", "sympy", "typing-ext>=4.8"],
              "2.5.0": ["numpy>=1.24", "sympy==1.13.*", "typing-ext>=4.10"]},
    "transformers": {"4.38.0": ["numpy>=1.17", "tokenizers>=0.14,<0.19"],
                     "4.44.0": ["numpy>=1.17", "tokenizers~=0.19.0"],
                     "4.46.0": ["numpy>=1.17", "tokenizers>=0.20,<0.21", "torch>=2.6"]},
    "tokenizers": {"0.15.2": [], "0.19.1": [], "0.20.3": []},
    "sympy": {"1.12": ["mpmath>=0.19"], "1.13.1": ["mpmath>=1.1,<1.4"],
              "1.13.3": ["mpmath>=1.5"]},  # no mpmath 1.5 exists: forces a backtrack
    "mpmath": {"1.2.1": [], "1.3.0": []},
    "typing-ext": {"4.7.1": [], "4.9.0": [], "4.12.2": []},
}
TOP = ["torch>=2.2", "transformers>=4.38"]  # what the project asks for
CONFLICT = ["torch<2.3", "numpy>=2"]  # torch 2.2 needs numpy<2: no solution


@dataclass
class Config:
    n_versions: int = 15  # versions in the specifier test grid
    new_release: str = "2.2.0"  # a numpy release published after the lock was written


def specifier_allows(spec: str, version: str) -> bool:
    """PEP 440 by hand for release versions ("1.4.10"): do all comma-separated clauses of
    ``spec`` (``== != < <= > >= ~=`` and ``==X.Y.*`` / ``!=X.Y.*``) allow ``version``?"""
    v = tuple(int(p) for p in version.split("."))
    pad = lambda t, n: t + (0,) * (n - len(t))  # noqa: E731 - 1.0 == 1.0.0
    for clause in (c.strip() for c in spec.split(",") if c.strip()):
        op = re.match(r"~=|==|!=|<=|>=|<|>", clause).group(0)
        target = clause[len(op):].strip()
        if target.endswith(".*"):  # prefix match on the zero-padded release
            prefix = tuple(int(p) for p in target[:-2].split("."))
            same = pad(v, len(prefix))[: len(prefix)] == prefix
            ok = same if op == "==" else not same
        else:
            t = tuple(int(p) for p in target.split("."))
            n = max(len(v), len(t))
            a, b = pad(v, n), pad(t, n)  # compare as integer tuples, never as strings
            if op == "~=":  # compatible release: >= t and same prefix without the last part
                ok = a >= b and pad(v, len(t) - 1)[: len(t) - 1] == t[:-1]
            else:
                ok = {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b,
                      ">": a > b, ">=": a >= b}[op]
        if not ok:
            return False
    return True


def resolve(requirements: list[str], index: dict) -> dict | None:
    """Backtracking resolver: return ``{name: version}`` satisfying ``requirements`` and,
    transitively, the requirements of every chosen version (only packages that are needed),
    trying newest versions first; ``None`` when no solution exists. Use ``packaging``'s
    ``Requirement`` (``.name``, ``.specifier``) and ``Version``."""
    def solve(chosen: dict, reqs: list) -> dict | None:
        pending = sorted({r.name for r in reqs} - chosen.keys())
        if not pending:
            return chosen
        name = pending[0]  # decide one package at a time, in a fixed order
        on_name = [r.specifier for r in reqs if r.name == name]
        for ver in sorted(index.get(name, {}), key=Version, reverse=True):  # newest first
            if not all(Version(ver) in s for s in on_name):
                continue
            deps = [Requirement(d) for d in index[name][ver]]
            if any(d.name in chosen and Version(chosen[d.name]) not in d.specifier
                   for d in deps):
                continue  # this version contradicts an earlier choice
            found = solve({**chosen, name: ver}, reqs + deps)
            if found is not None:
                return found
        return None  # every candidate failed: the caller backtracks

    return solve({}, [Requirement(r) for r in requirements])


def brute_force(requirements: list[str], index: dict) -> list[dict]:
    """Oracle: every exact, valid solution, by trying all combinations (absent included)."""
    names = sorted(index)
    parsed = {r: Requirement(r) for r in requirements}
    parsed.update({d: Requirement(d) for n in index for v in index[n] for d in index[n][v]})
    allowed = {(r, v): Version(v) in q.specifier  # (requirement, version) -> bool, packaging
               for r, q in parsed.items() for v in index.get(q.name, {})}
    out = []
    for combo in itertools.product(*[[None, *index[n]] for n in names]):
        sol = {n: v for n, v in zip(names, combo, strict=True) if v is not None}
        reqs = list(requirements) + [d for n, v in sol.items() for d in index[n][v]]
        if {parsed[r].name for r in reqs} == set(sol) and all(
                allowed[r, sol[parsed[r].name]] for r in reqs):
            out.append(sol)
    return out


def body(lab: kit.Lab) -> None:
    cfg = Config()
    rng = np.random.default_rng(lab.seed)

    lab.section("a real venv, made with the standard library")
    with tempfile.TemporaryDirectory() as tmp, lab.guard("venv created and run"):
        env = Path(tmp) / "env"
        venv.EnvBuilder(with_pip=False, clear=True).create(env)  # no pip: fast, offline
        py = env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
        probe = ("import sys, sysconfig, importlib.util as u; print(sys.prefix); "
                 "print(sys.base_prefix); print(sysconfig.get_paths()['purelib']); "
                 "print(u.find_spec('numpy') is None)")
        lines = subprocess.run([str(py), "-c", probe], capture_output=True, text=True,
                               check=True, timeout=60).stdout.splitlines()
        prefix, base, purelib, no_numpy = lines[0], lines[1], Path(lines[2]), lines[3]
        cfg_text = (env / "pyvenv.cfg").read_text()
        lab.check_equal("sys.prefix inside the venv is the venv folder",
                        Path(prefix).resolve(), env.resolve())
        lab.check("sys.prefix != sys.base_prefix inside the venv", prefix != base,
                  "different", f"prefix={prefix} base={base}")
        lab.check("pyvenv.cfg excludes system site-packages",
                  "include-system-site-packages = false" in cfg_text, "false", cfg_text[:120])
        lab.check_equal("numpy (installed here) is invisible in the new venv", no_numpy, "True")
        # "install" a package by hand: a module plus dist-info metadata in its site-packages
        (purelib / "toy_pkg.py").write_text("VALUE = 42\n")
        meta = purelib / "toy_pkg-0.1.0.dist-info"
        meta.mkdir()
        (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-pkg\nVersion: 0.1.0\n")
        got = subprocess.run([str(py), "-c", "import toy_pkg, importlib.metadata as m; "
                              "print(toy_pkg.VALUE, m.version('toy-pkg'))"],
                             capture_output=True, text=True, timeout=60).stdout.split()
        lab.check_equal("package installed in the venv imports there", got, ["42", "0.1.0"])
        here = subprocess.run([sys.executable, "-c", "import toy_pkg"], capture_output=True)
        lab.check("...and not from this interpreter", here.returncode != 0,
                  "ImportError", "imported" if here.returncode == 0 else "ImportError")

    lab.section("PEP 440 specifiers by hand vs packaging")
    versions = ["0.2", "0.19.1", "1", "1.0", "1.0.0", "1.4", "1.4.5", "1.4.10", "1.9.0",
                "1.10.0", "2.0", "2.2", "2.2.1", "2.10", "3.0.0"][: cfg.n_versions]
    specs = ["==1.0", "!=1.0", ">=1.4.5", "<1.10", "<=2.2", ">1.4", "~=1.4.5", "~=2.2",
             "==1.4.*", "!=1.*", ">=0.2,<0.19", ">=1.9,!=1.10.*", "~=0.19.0", "==2.*,>2.0"]
    oracle = np.array([[Version(v) in SpecifierSet(s) for v in versions] for s in specs])
    with lab.guard("specifier_allows runs"):
        mine = np.array([[bool(specifier_allows(s, v)) for v in versions] for s in specs])
        bad = [(s, v) for i, s in enumerate(specs) for j, v in enumerate(versions)
               if mine[i, j] != oracle[i, j]]
        lab.check_equal("specifier_allows = packaging.SpecifierSet on the grid", bad[:4], [],
                        f"{len(bad)} of {oracle.size} (spec, version) pairs differ")
        rand_specs = [f">={a}.{b},<{a + 1}" for a, b in rng.integers(0, 3, size=(6, 2))]
        rbad = [(s, v) for s in rand_specs for v in versions
                if specifier_allows(s, v) != (Version(v) in SpecifierSet(s))]
        lab.check_equal("random range specifiers agree with packaging", rbad[:4], [])
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.imshow(oracle, cmap="Greens", aspect="auto")
    ax.set_xticks(range(len(versions)), versions, rotation=60, fontsize=7)
    ax.set_yticks(range(len(specs)), specs, fontsize=7)
    ax.set_title("which versions each specifier allows (green = allowed)")
    lab.savefig(fig, "specifiers.png")

    lab.section("resolution: backtracking resolver vs brute force over the toy index")
    valid = brute_force(TOP, INDEX)
    names = sorted({n for s in valid for n in s})
    best = max(valid, key=lambda s: [Version(s[n]) for n in names])
    lab.metric("valid_solutions", len(valid))
    with lab.guard("resolve runs"):
        sol = resolve(TOP, INDEX)
        lab.check("resolution is one of the brute-force valid solutions", sol in valid,
                  "a valid solution", sol)
        lab.check_equal("resolution is the newest-first answer", sol, best)
        dominated = [s for s in valid if not sol or any(Version(s[n]) > Version(sol.get(n, "0"))
                                                     for n in s)]
        lab.check_equal("no valid solution has a newer version of any package",
                        len(dominated), 0)
        lab.check_equal("conflicting requirements: no solution (brute force agrees)",
                        (resolve(CONFLICT, INDEX), len(brute_force(CONFLICT, INDEX))), (None, 0))
        lock = [f"{n}=={v}" for n, v in sorted((sol or {}).items())]  # the lock file's lines
        newer = {**INDEX, "numpy": {**INDEX["numpy"], cfg.new_release: []}}
        lab.check_equal("lock file pins survive a new upstream release",
                        resolve(lock, newer), sol)
        unpinned = resolve(TOP, newer)
        lab.check_equal("unpinned resolution moves to the new release",
                        (unpinned or {}).get("numpy"), cfg.new_release)
        lines = "\n".join(f"      - {p}" for p in lock)
        env_yml = lab.save_file("environment.yml")
        env_yml.write_text(f"# conda environment with pip pins from the toy resolution\n"
                           f"name: roadmap-lab\nchannels: [conda-forge]\ndependencies:\n"
                           f"  - python=3.11\n  - pip\n  - pip:\n{lines}\n")
        lab.save_file("requirements.lock").write_text("\n".join(lock) + "\n")
        lab.log("  lock:", ", ".join(lock))


def main(argv: list[str] | None = None) -> int:
    return kit.run("environments-dependencies", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
