"""The exceptions of Roadmap Lab: one base class, one subclass per kind of failure.

Messages are short and factual and name the file, the field and the ids involved.
"""

from __future__ import annotations

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
    "ValidationFailed",
    "LayoutError",
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


class ValidationFailed(RoadmapError):
    """Loading found one or more problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[RoadmapError]) -> None:
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the roadmap:\n{lines}")


class LayoutError(RoadmapError):
    """The roadmap cannot be laid out as asked (a ``position`` pin that breaks the order)."""
