"""Bug: tries versions oldest first (reverse=True forgotten): a valid, but stale, answer."""

from packaging.requirements import Requirement
from packaging.version import Version


def resolve(requirements: list, index: dict) -> dict | None:
    def solve(chosen: dict, reqs: list) -> dict | None:
        pending = sorted({r.name for r in reqs} - chosen.keys())
        if not pending:
            return chosen
        name = pending[0]
        on_name = [r.specifier for r in reqs if r.name == name]
        for ver in sorted(index.get(name, {}), key=Version):
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
