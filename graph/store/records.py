"""The progress store's records: what its functions return, and the words they use.

Plain frozen dataclasses, no SQL: a caller can build, compare and print them without a
database. The vocabulary of node statuses, run statuses and solutions is the model's
(:mod:`graph.model`); the words only the store uses (roles, event kinds, user names, the
export format) are defined here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from graph.errors import ProgressError
from graph.model import STATUSES, is_verified

__all__ = [
    "ROLES",
    "EVENT_KINDS",
    "NAME_PATTERN",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "READABLE_VERSIONS",
    "Attempt",
    "UserInfo",
    "Member",
    "TeamInfo",
    "NodeStatus",
    "StatusChange",
    "Event",
    "RunSummary",
    "ImportReport",
    "HistoryImport",
    "SectionProgress",
    "Cell",
    "SkillMatrix",
    "Helper",
    "CompletionPoint",
]

ROLES = ("admin", "member")  # a user's role in a team
EVENT_KINDS = ("status", "note", "verified", "alias")  # what an entry of the history records
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")  # a user or team name
EXPORT_FORMAT = "roadmap-lab-progress"  # the "format" of an export file
EXPORT_VERSION = 2  # its "version" (2: runs carry lab_sha256 and seed; attempts)
READABLE_VERSIONS = (1, 2)  # the versions an import accepts


@dataclass(frozen=True)
class UserInfo:
    """A user (a learner's profile)."""

    name: str
    display_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class Member:
    """A team member and their role."""

    name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class TeamInfo:
    """A team and its members (admins first, then by name)."""

    name: str
    created_at: datetime
    members: list[Member]


@dataclass(frozen=True)
class NodeStatus:
    """A user's status of one node."""

    node: str
    status: str
    note: str
    created_at: datetime
    updated_at: datetime
    verified: bool = False


@dataclass(frozen=True)
class StatusChange:
    """What :meth:`Store.set_status` did; ``changed`` is False for a no-op."""

    user: str
    node: str
    old: str | None
    new: str
    note: str
    at: datetime
    changed: bool


@dataclass(frozen=True)
class Event:
    """One entry of the history: who (``user``), what (``kind``, node, statuses), when."""

    at: datetime
    user: str
    kind: str
    node: str | None
    from_status: str | None
    to_status: str | None
    note: str | None


@dataclass(frozen=True)
class RunSummary:
    """A recorded lab run."""

    id: int
    user: str
    node: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    device: str | None
    quick: bool
    solution: str
    solution_sha256: str | None
    returncode: int | None
    checks_passed: int | None
    checks_total: int | None
    log_path: str | None
    lab_sha256: str | None = None  # the lab file's content hash when it ran
    seed: int | None = None

    @property
    def verified(self) -> bool:
        """A pass with the learner's own solution."""
        return is_verified(self.status, self.solution)


@dataclass(frozen=True)
class Attempt:
    """One practice attempt: the code a learner checked, and how its run ended."""

    id: int
    user: str
    node: str
    created_at: datetime
    code: str
    code_sha256: str
    status: str | None  # a run status once checked; None while it runs
    run_id: int | None


@dataclass
class ImportReport:
    """What an import brought in."""

    user: str
    statuses: int = 0
    events: int = 0
    lab_runs: int = 0
    attempts: int = 0
    duplicates: int = 0
    unknown: list[str] = field(default_factory=list)  # kept aside (--allow-unknown)
    renamed: dict[str, str] = field(default_factory=dict)  # old id -> current id


@dataclass
class HistoryImport:
    """What the import of the runner's JSON-lines history brought in."""

    path: str
    imported: int = 0
    duplicates: int = 0
    bad_lines: list[int] = field(default_factory=list)  # 1-based line numbers


@dataclass(frozen=True)
class SectionProgress:
    """A user's progress in one section; ``remaining`` lists what is left, in order."""

    section: str
    title: str
    colour: str
    total: int
    done: int
    skipped: int
    learning: int
    verified: int
    remaining: list[str]

    @property
    def finished(self) -> int:
        """Done + skipped."""
        return self.done + self.skipped

    @property
    def fraction(self) -> float:
        """(done + skipped) / total; 1.0 for an empty section."""
        return self.finished / self.total if self.total else 1.0


@dataclass(frozen=True)
class Cell:
    """One cell of the skill matrix."""

    status: str = "todo"
    verified: bool = False


@dataclass
class SkillMatrix:
    """Members x nodes.

    ``cells`` maps a member to their recorded cells by node (a status or a verified run);
    every other cell is todo and unverified.
    """

    team: str
    members: list[str]
    nodes: list[str]
    cells: dict[str, dict[str, Cell]]

    def cell(self, member: str, node: str) -> Cell:
        """The cell of ``member`` and ``node`` (todo when nothing is recorded)."""
        return self.cells.get(member, _NOTHING).get(node, _TODO)

    def row(self, member: str) -> list[Cell]:
        """A member's cells in node order."""
        mine = self.cells.get(member, _NOTHING)
        return [mine.get(n, _TODO) for n in self.nodes]


_TODO = Cell()
_NOTHING: dict[str, Cell] = {}
CELLS = {(s, v): Cell(s, v) for s in STATUSES for v in (False, True)}  # shared, immutable


@dataclass(frozen=True)
class Helper:
    """Someone who has done a node (verified ones are listed first)."""

    user: str
    status: str
    verified: bool
    updated_at: datetime


@dataclass(frozen=True)
class CompletionPoint:
    """Net completions (nodes that became done or skipped) on ``day``, and the total then."""

    day: date
    completed: int
    cumulative: int


# --------------------------------------------------------------------------- conversions


def check_name(name: str, what: str) -> str:
    """``name`` when it is a valid user or team name.

    Raises
    ------
    ProgressError
        Saying what a name may contain.
    """
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ProgressError(f"invalid {what} name {name!r}: use 1-64 letters, digits, "
                            "'.', '_', '@' or '-', starting with a letter or digit")
    return name


def iso(dt: datetime | None) -> str | None:
    """A UTC time as ISO 8601 with microseconds and ``Z`` (None stays None)."""
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(value: Any) -> datetime:
    """A UTC datetime from a datetime, an ISO 8601 string or a POSIX timestamp.

    Raises
    ------
    ValueError
        For anything else.

    Examples
    --------
    >>> parse_time("2025-01-02T03:04:05Z").isoformat()
    '2025-01-02T03:04:05+00:00'
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        dt = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        dt = datetime.fromisoformat(value.strip())
    else:
        raise ValueError(f"expected a timestamp, got {type(value).__name__}")
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
