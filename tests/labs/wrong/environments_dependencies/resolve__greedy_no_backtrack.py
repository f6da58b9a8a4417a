"""Bug: greedy: takes the newest allowed version of each package and never revisits a
choice, so a dead end (sympy 1.13.3 needs an mpmath that does not exist) ends in None."""

from packaging.requirements import Requirement
from packaging.version import Version


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
