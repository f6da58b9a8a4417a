"""Virtual environments and dependency resolution: venv, conda, PEP 440 specifiers, lock files.

A virtual environment is a folder with its own ``site-packages`` and a ``pyvenv.cfg`` whose
``home`` points at the base interpreter: running its ``bin/python`` sets ``sys.prefix`` to
the folder (``sys.base_prefix`` stays the base install), so packages installed there are
invisible elsewhere, and the base's packages are invisible inside unless it was made with
``system_site_packages``. ``virtualenv`` is the older tool the standard ``venv`` grew out
of. conda goes further: an environment holds any binaries (Python itself, the CUDA runtime,
MKL), packages come from channels (``conda-forge``), ``environment.yml`` describes one and
conda's own solver resolves it; pip packages can sit on top in a ``pip:`` section.

A requirement such as ``numpy>=1.24,!=1.25.0,<2`` is a PEP 440 *specifier set*: every
clause must hold. ``~=1.4.5`` means ``>=1.4.5, ==1.4.*``; ``==2.0.*`` is a prefix match;
``==2.0`` ignores a candidate's local label (``2.0+cpu``); ``<2.0`` does not admit 2.0's own
pre-releases (2.0rc1) and ``>2.0`` not its post-releases (2.0.post1). Pre-releases (a, b,
rc, dev) are left out unless a clause names one or nothing else matches. Versions compare
as numbers, never as strings (1.10 > 1.9). A resolver picks one version per package so that
every requirement of the chosen versions holds, newest first, backtracking out of dead ends;
a lock file pins the answer (``name==version``) so that a new upstream release changes
nothing until you re-lock.

You write ``make_venv`` (a real, isolated venv, checked by running its interpreter),
``specifier_filter`` (PEP 440 by hand, checked against ``packaging``'s
``SpecifierSet.filter``) and ``resolve`` (a backtracking resolver, checked against a brute-
force search over every combination of an offline toy index with invented metadata).

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
from packaging.version import Version

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("make_venv", "specifier_filter", "resolve")

INDEX = {  # toy offline index: name -> version -> requirements of that version (invented)
    "numpy": {"1.24.4": [], "1.26.4": [], "2.0.2": [], "2.1.0": []},
    "torch": {"2.2.0": ["numpy<2", "sympy", "typing-ext>=4.7"],
              "2.4.1": ["numpy>=1.22", "sympy", "typing-ext>=4.8"],
              "2.5.0": ["numpy>=1.24", "sympy==1.13.*", "typing-ext>=4.8"]},
    "transformers": {"4.38.0": ["numpy>=1.17", "tokenizers>=0.14,<0.19"],
                     "4.44.0": ["numpy>=1.17", "tokenizers~=0.19.0"],
                     "4.46.0": ["numpy>=1.17", "tokenizers>=0.20,<0.21", "torch>=2.6"]},
    "tokenizers": {"0.15.2": [], "0.19.1": [], "0.20.3": []},
    "sympy": {"1.12": ["mpmath>=0.19"], "1.13.1": ["mpmath>=1.1,<1.4"],
              "1.13.3": ["mpmath>=1.5"]},  # no mpmath 1.5 exists: forces a backtrack
    "mpmath": {"1.2.1": [], "1.3.0": []},
    "typing-ext": {"4.7.1": [], "4.9.0": [], "4.12.2": []},  # 4.12 > 4.9, but not as text
}
TOP = ["torch>=2.2", "transformers>=4.38"]  # what the project asks for
CONFLICT = ["torch<2.3", "numpy>=2"]  # torch 2.2 needs numpy<2: no solution
VERSIONS = ["1.9", "2.0rc1", "0.9", "1.4.10", "2.0", "1.0.post2", "3.0b1", "1.10.0", "2.0a1",
            "2.0+cpu", "1.0", "2.0.dev3", "2.2", "1.4.5", "2.0.post1", "2.1a1", "2.0b2"]  # unsorted
SPECS = {  # family -> specifier sets tried on VERSIONS
    "ordered comparisons": [">=1.4.5", "<1.10", "<=2.0", ">1.4", ">=0.2,<1.0", ">=1.0,<2.0",
                            ">1.0.post2", "<=1.0.post2"],
    "<V and >V exclusions": ["<2.0", ">2.0", "<2.0rc1", ">1.0", ">1.10,<2.0", "<2.0,>=2.0a1",
                             ">2.0,<2.1"],
    "== and != (local labels, wildcards)": ["==1.0", "!=1.0", "==2.0", "!=2.0", "==2.0+cpu",
                                            "==1.4.*", "!=1.*", "==2.0.*", ">=1.9,!=1.10.*"],
    "~= compatible release": ["~=1.4.5", "~=2.0", "~=2.0.0", "~=1.9"],
    "pre-release rule": [">=2.0b1", ">=2.5", ">=2.0.dev0,<2.1", "!=2.0rc1,>=2.0a1",
                         ">1.0,!=2.0.post1"],
}


@dataclass
class Config:
    random_specs: int = 40  # random range specifiers also compared with packaging
    new_release: str = "2.2.0"  # a numpy release published after the lock was written


def make_venv(path: Path) -> Path:
    """Create a virtual environment at ``path`` with the standard library's ``venv``, without
    access to this interpreter's site-packages, and return the ``Path`` of its Python
    (``bin/python``; ``Scripts/python.exe`` on Windows). ``with_pip=False`` keeps it fast
    and offline."""
    venv.EnvBuilder(with_pip=False, system_site_packages=False, clear=True).create(path)
    return path / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def specifier_filter(spec: str, versions: list) -> list:
    """The versions (strings, kept in the given order) that the PEP 440 specifier set
    ``spec`` allows, as ``pip`` decides by default. Parse with ``Version`` and compare
    Version objects (``.release``, ``.public``, ``.base_version``, ``.local``,
    ``.is_prerelease``, ``.is_postrelease``); write the rules yourself:

    - comma-separated clauses must all hold; operators ``== != < <= > >= ~=``;
    - ``==X.Y.*`` / ``!=X.Y.*``: prefix match of the zero-padded release (2.0rc1 and
      2.0.post1 are ``==2.0.*``); ``~=X.Y.Z`` means ``>=X.Y.Z, ==X.Y.*``;
    - unless the clause's version has a local label, compare the candidate's public
      version (``2.0+cpu`` is ``==2.0``, ``<=2.0`` and not ``>2.0``);
    - ``<V`` excludes pre-releases of V's release unless V is a pre-release; ``>V``
      excludes post-releases of V's release unless V is a post-release;
    - pre-releases: if a clause other than ``!=`` names a pre-release version, allowed
      pre-releases stay; otherwise they are dropped, unless no final release is allowed
      at all (then the allowed pre-releases are returned).
    """
    clauses = [re.match(r"\s*(~=|==|!=|<=|>=|<|>)\s*(\S+)", c).groups()
               for c in spec.split(",") if c.strip()]

    def holds(op: str, target: str, v: Version) -> bool:
        if target.endswith(".*"):  # prefix match on the zero-padded release
            prefix = Version(target[:-2]).release
            same = (v.release + (0,) * len(prefix))[: len(prefix)] == prefix
            return same if op == "==" else not same
        t = Version(target)
        if op == "~=":
            return holds(">=", target, v) and holds("==", ".".join(
                map(str, t.release[:-1])) + ".*", v)
        p = v if t.local else Version(v.public)
        same_release = Version(v.base_version) == Version(t.base_version)
        return {"==": p == t, "!=": p != t, "<=": p <= t, ">=": p >= t,
                "<": p < t and (t.is_prerelease or not (v.is_prerelease and same_release)),
                ">": p > t and (t.is_postrelease or not (v.is_postrelease and same_release))
                }[op]

    allowed = [s for s in versions if all(holds(op, t, Version(s)) for op, t in clauses)]
    if any(op != "!=" and not t.endswith(".*") and Version(t).is_prerelease
           for op, t in clauses):
        return allowed
    finals = [s for s in allowed if not Version(s).is_prerelease]
    return finals or allowed


def resolve(requirements: list, index: dict) -> dict | None:
    """Backtracking resolver: return ``{name: version}`` satisfying ``requirements`` and,
    transitively, the requirements of every chosen version (only packages that are needed).
    Decide one package at a time in sorted name order, trying its versions newest first
    (compared as ``Version``, never as strings); when a choice leads to a dead end, undo it
    and try the next version. ``None`` when no solution exists. ``index`` maps a name to
    ``{version: [requirement strings]}``; parse requirements with ``Requirement``
    (``.name``, ``.specifier``; ``Version(v) in req.specifier``)."""
    def solve(chosen: dict, reqs: list) -> dict | None:
        pending = sorted({r.name for r in reqs} - chosen.keys())
        if not pending:
            return chosen
        name = pending[0]
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


def brute_force(requirements: list, index: dict) -> list:
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


def newest_solution(solutions: list) -> dict | None:
    """The newest valid solution, comparing versions package by package in sorted name order
    (on this index, the one a newest-first search deciding names in sorted order finds)."""
    return max(solutions, key=lambda s: [Version(s.get(n, "0")) for n in sorted(INDEX)],
               default=None)


def run_python(py: Path, code: str) -> list:
    return subprocess.run([str(py), "-c", code], capture_output=True, text=True,
                          timeout=60).stdout.split()


def body(lab: kit.Lab) -> None:
    from packaging.specifiers import SpecifierSet  # the oracle, kept out of the starter

    cfg = Config(random_specs=lab.pick(40, 400))
    rng = np.random.default_rng(lab.seed)

    lab.section("a real venv, made with the standard library")
    with tempfile.TemporaryDirectory() as tmp, lab.guard("make_venv runs"):
        env = Path(tmp) / "env"
        py = Path(make_venv(env))
        got = run_python(py, "import sys, sysconfig, importlib.util as u; print(sys.prefix); "
                         "print(sys.base_prefix != sys.prefix); "
                         "print(u.find_spec('numpy') is None); "
                         "print(sysconfig.get_paths()['purelib'])") + ["?"] * 4
        lab.check_equal("the returned python runs with sys.prefix = the venv folder, "
                        "not sys.base_prefix", (Path(got[0]).resolve(), got[1]),
                        (env.resolve(), "True"),
                        hint="return the venv's bin/python, not sys.executable")
        cfg_text = (env / "pyvenv.cfg").read_text() if (env / "pyvenv.cfg").exists() else ""
        lab.check_equal("base site-packages hidden: numpy not importable, pyvenv.cfg says false",
                        (got[2], "include-system-site-packages = false" in cfg_text),
                        ("True", True), hint="system_site_packages=False")
        purelib = Path(got[3])
        if purelib.resolve().is_relative_to(env.resolve()):  # never write outside the venv
            (purelib / "toy_pkg.py").write_text("VALUE = 42\n")  # "install" a package by hand
            meta = purelib / "toy_pkg-0.1.0.dist-info"
            meta.mkdir()
            (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-pkg\n"
                                           "Version: 0.1.0\n")
        here = subprocess.run([sys.executable, "-c", "import toy_pkg"], capture_output=True)
        lab.check_equal("a package put in its site-packages imports there, not here",
                        (run_python(py, "import toy_pkg, importlib.metadata as m; "
                                        "print(toy_pkg.VALUE, m.version('toy-pkg'))"),
                         here.returncode != 0), (["42", "0.1.0"], True))

    lab.section("PEP 440 specifiers by hand vs packaging.SpecifierSet.filter")
    wrong_pairs: dict = {}
    with lab.guard("specifier_filter runs"):
        for family, specs in SPECS.items():
            bad = [(s, list(specifier_filter(s, VERSIONS)), list(SpecifierSet(s).filter(VERSIONS)))
                   for s in specs]
            bad = [b for b in bad if b[1] != b[2]]
            wrong_pairs[family] = len(bad)
            lab.check_equal(f"{family}: your filter = SpecifierSet(spec).filter", bad[:1], [],
                            f"{len(bad)} of {len(specs)} specifiers differ "
                            "(spec, yours, packaging's)",
                            hint="compare Version objects; mind pre-releases and local labels")
        draws = rng.integers(0, 11, (cfg.random_specs, 4)) % [3, 11, 3, 11]
        rand = [f">={a}.{b},<{a + c}.{d}" for a, b, c, d in draws]
        rbad = [s for s in rand
                if list(specifier_filter(s, VERSIONS)) != list(SpecifierSet(s).filter(VERSIONS))]
        lab.check_equal("random range specifiers agree with packaging", rbad[:3], [],
                        f"{len(rbad)} of {len(rand)} differ")
    ordered = sorted(VERSIONS, key=Version)
    grid = np.array([[Version(v) in SpecifierSet(s, prereleases=True) for v in ordered]
                     for specs in SPECS.values() for s in specs])
    fig, ax = plt.subplots(figsize=(7.5, 6))
    ax.imshow(grid, cmap="Greens", aspect="auto")
    ax.set_xticks(range(len(ordered)), ordered, rotation=60, fontsize=7)
    ax.set_yticks(range(len(grid)), [s for ss in SPECS.values() for s in ss], fontsize=7)
    ax.set_title("versions each specifier matches (green; pre-releases shown matched)")
    lab.savefig(fig, "specifiers.png")

    lab.section("resolution: backtracking resolver vs brute force over the toy index")
    valid = brute_force(TOP, INDEX)
    best = newest_solution(valid)
    lab.metric("valid_solutions", len(valid))
    sol = None
    with lab.guard("resolve runs"):
        sol = resolve(TOP, INDEX)
        lab.check("resolution is one of the brute-force valid solutions", sol in valid,
                  "a valid solution", sol, hint="check a new version's requirements against "
                  "the packages already chosen")
        lab.check_equal("resolution is the newest-first answer", sol, best,
                        hint="sort candidates with key=Version, newest first")
        lab.check_equal("conflicting requirements: None (brute force finds 0 solutions)",
                        (resolve(CONFLICT, INDEX), len(brute_force(CONFLICT, INDEX))), (None, 0))
    lock = [f"{n}=={v}" for n, v in sorted(best.items())]  # the lock file's lines
    newer = {**INDEX, "numpy": {**INDEX["numpy"], cfg.new_release: []}}
    with lab.shown():
        lab.check_equal("a new numpy release: the lock still resolves to the same pins, an "
                        "unpinned resolve moves to it",
                        (newest_solution(brute_force(lock, newer)),
                         newest_solution(brute_force(TOP, newer))["numpy"]),
                        (best, cfg.new_release))
    lines = "\n".join(f"      - {p}" for p in lock)
    lab.save_file("environment.yml").write_text(
        f"# conda environment with pip pins from the toy resolution\nname: roadmap-lab\n"
        f"channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n{lines}\n")
    lab.save_file("requirements.lock").write_text("\n".join(lock) + "\n")
    lab.log("  lock:", ", ".join(lock))
    lab.conclude(f"Your venv was isolated from this interpreter, your specifier filter matched "
                 f"packaging on {sum(map(len, SPECS.values())) + cfg.random_specs} specifier "
                 f"sets, and your resolver found the newest of {len(valid)} valid solutions "
                 f"({', '.join(lock)}).")


def main(argv: list[str] | None = None) -> int:
    return kit.run("environments-dependencies", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
