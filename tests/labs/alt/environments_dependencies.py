"""Another idiom: `python -m venv` in a subprocess, specifier clauses compiled to predicates
from the pre/post/dev fields of Version, and an explicit-stack depth-first resolver."""

import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

OPS = ("~=", "==", "!=", "<=", ">=", "<", ">")


def make_venv(path):
    path = Path(path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--clear", str(path)],
                   check=True)
    exe = path / "Scripts" / "python.exe" if sys.platform == "win32" else path / "bin" / "python"
    assert exe.exists()
    return exe


def _padded(release, n):
    return tuple(release[:n]) + (0,) * max(0, n - len(release))


def _predicate(clause):
    clause = clause.strip()
    op = next(o for o in OPS if clause.startswith(o))
    target = clause[len(op):].strip()
    if target.endswith(".*"):
        prefix = tuple(int(x) for x in target[:-2].split("."))
        match = lambda v: _padded(v.release, len(prefix)) == prefix  # noqa: E731
        return (match if op == "==" else (lambda v: not match(v))), False
    t = Version(target)
    names_pre = op != "!=" and (t.pre is not None or t.dev is not None)
    if op == "~=":
        prefix = t.release[:-1]
        return (lambda v: Version(v.public) >= t
                and _padded(v.release, len(prefix)) == prefix), names_pre

    def key(v):
        return v if t.local is not None else Version(v.public)

    def same_base(v):
        return v.release == t.release and v.epoch == t.epoch

    tests = {
        "==": lambda v: key(v) == t,
        "!=": lambda v: key(v) != t,
        "<=": lambda v: key(v) <= t,
        ">=": lambda v: key(v) >= t,
        "<": lambda v: key(v) < t and not (
            (v.pre is not None or v.dev is not None) and same_base(v)
            and t.pre is None and t.dev is None),
        ">": lambda v: key(v) > t and not (
            v.post is not None and same_base(v) and t.post is None),
    }
    return tests[op], names_pre


def specifier_filter(spec, versions):
    preds = [_predicate(c) for c in spec.split(",") if c.strip()]
    parsed = [(s, Version(s)) for s in versions]
    hits = [(s, v) for s, v in parsed if all(p(v) for p, _ in preds)]
    if any(named for _, named in preds):
        return [s for s, _ in hits]
    final = [s for s, v in hits if v.pre is None and v.dev is None]
    return final if final else [s for s, _ in hits]


def resolve(requirements, index):
    stack = [({}, [Requirement(r) for r in requirements])]
    # each frame: (choices so far, requirements so far); candidates pushed oldest first so
    # that the newest is popped first
    while stack:
        chosen, reqs = stack.pop()
        if any(r.name in chosen and Version(chosen[r.name]) not in r.specifier for r in reqs):
            continue
        todo = sorted({r.name for r in reqs if r.name not in chosen})
        if not todo:
            return chosen
        name = todo[0]
        ok = [v for v in index.get(name, {})
              if all(Version(v) in r.specifier for r in reqs if r.name == name)]
        for v in sorted(ok, key=Version):
            stack.append(({**chosen, name: v},
                          reqs + [Requirement(d) for d in index[name][v]]))
    return None
