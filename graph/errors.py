"""The exceptions of Roadmap Lab: one base class, one subclass per kind of failure.

Messages are short and factual and name the file, the field and the ids involved.
"""

from __future__ import annotations

import difflib

__all__ = [
    "RoadmapError",
    "RoadmapWarning",
    "SchemaError",
    "DuplicateIdError",
    "DanglingReferenceError",
    "CycleError",
    "NodeNotFound",
    "LabError",
    "ProgressError",
    "InvalidStatus",
    "ImportFileError",
    "UnknownNodesError",
    "ConfigError",
    "ValidationFailed",
    "LayoutError",
    "OutputError",
]


class RoadmapError(Exception):
    """Base class of every error Roadmap Lab reports to a user."""


class RoadmapWarning(UserWarning):
    """A problem that is reported but does not make the roadmap invalid."""


class SchemaError(RoadmapError):
    """A YAML file does not match the schema (syntax, unknown key, wrong type, ...)."""


class DuplicateIdError(RoadmapError):
    """Two files declare the same node id (or an alias repeats an id)."""


class DanglingReferenceError(RoadmapError):
    """A prerequisite, related id or section names something that does not exist."""


class CycleError(RoadmapError):
    """The prerequisites form a cycle; ``cycle`` holds the ids in order."""

    def __init__(self, message: str, cycle: list[str] | None = None) -> None:
        super().__init__(message)
        self.cycle = cycle or []


class NodeNotFound(RoadmapError):
    """An id that is not in the roadmap; ``suggestions`` holds close matches."""

    def __init__(self, node_id: str, suggestions: list[str] | None = None,
                 what: str = "node") -> None:
        self.node_id, self.suggestions = node_id, suggestions or []
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {what} id {node_id!r}{hint}")


class LabError(RoadmapError):
    """A lab cannot be found, parsed or started."""


class ProgressError(RoadmapError):
    """The progress store cannot be opened, read or written."""


class InvalidStatus(ProgressError):
    """A value outside its vocabulary (a status, a run status, a role); says the allowed ones."""

    def __init__(self, status: str, allowed: tuple[str, ...], what: str = "status") -> None:
        close = difflib.get_close_matches(str(status), allowed, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(f"invalid {what} {status!r}: expected one of "
                         f"{', '.join(allowed)}{hint}")


class ImportFileError(ProgressError):
    """A progress file that cannot be imported; ``field`` names the wrong field."""

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source, self.field = source, field
        where = f"field {field!r}: " if field else ""
        super().__init__(f"{source}: {where}{message}; nothing was imported")


class UnknownNodesError(ImportFileError):
    """A progress file names nodes that are not in the roadmap; ``nodes`` lists them."""

    def __init__(self, source: str, nodes: list[str], fields: dict[str, str]) -> None:
        self.nodes = nodes
        listed = ", ".join(f"{n!r} ({fields[n]})" for n in nodes)
        super().__init__(source, "", f"{len(nodes)} unknown node id(s): {listed} "
                         "(pass --allow-unknown to keep them aside)")


class ConfigError(RoadmapError):
    """An environment variable or setting has a value Roadmap Lab cannot use."""


class ValidationFailed(RoadmapError):
    """Loading found one or more problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[RoadmapError]) -> None:
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the roadmap:\n{lines}")


class LayoutError(RoadmapError):
    """The roadmap cannot be laid out as asked (a ``position`` pin that breaks the order)."""


class OutputError(RoadmapError):
    """A file cannot be written where asked (a missing folder, no permission, a bad format)."""
