"""Bug: never checks a new version's requirements against packages already chosen
(transformers 4.46 is accepted although it needs a newer torch than the one chosen)."""

from packaging.requirements import Requirement
from packaging.version import Version


def resolve(requirements: list, index: dict) -> dict | None:
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
            found = solve({**chosen, name: ver}, reqs + deps)
            if found is not None:
                return found
        return None  # every candidate failed: the caller backtracks

    return solve({}, [Requirement(r) for r in requirements])
