"""Bug: reads "~=X.Y.Z" as "same major version": >=X.Y.Z, ==X.*."""

import re

from packaging.version import Version


def specifier_filter(spec: str, versions: list) -> list:
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
                map(str, t.release[:1])) + ".*", v)
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
