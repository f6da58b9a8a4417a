"""A deliberately wrong solution: versions compared as strings ("1.10" < "1.9"), and a
greedy resolver that takes the newest allowed version and never backtracks."""

import re

from packaging.requirements import Requirement
from packaging.version import Version


def specifier_allows(spec, version):
    for clause in (c.strip() for c in spec.split(",") if c.strip()):
        op = re.match(r"~=|==|!=|<=|>=|<|>", clause).group(0)
        target = clause[len(op):].strip()
        if target.endswith(".*"):
            same = version.startswith(target[:-1])
            ok = same if op == "==" else not same
        elif op == "~=":
            ok = version >= target and version.startswith(target.rsplit(".", 1)[0])
        else:  # string comparison: lexicographic, not numeric
            ok = {"==": version == target, "!=": version != target, "<": version < target,
                  "<=": version <= target, ">": version > target, ">=": version >= target}[op]
        if not ok:
            return False
    return True


def resolve(requirements, index):
    chosen, reqs = {}, [Requirement(r) for r in requirements]
    while True:
        pending = sorted({r.name for r in reqs} - chosen.keys())
        if not pending:
            return chosen
        name = pending[0]
        ok = [v for v in index.get(name, {})
              if all(Version(v) in r.specifier for r in reqs if r.name == name)]
        if not ok:
            return None  # gives up instead of revisiting an earlier choice
        ver = max(ok, key=Version)
        chosen[name] = ver
        reqs += [Requirement(d) for d in index[name][ver]]
