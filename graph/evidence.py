"""The knowledge ledger's arithmetic: evidence per node, retention, reviews, implicit credit.

A status (todo, learning, done, skipped) is the learner's plan; **evidence** is what the
tool knows, derived from the recorded lab runs and never typed by hand:

=============  ===========================================================================
``verified``   the learner's own solution passed the lab, and retention is still >= 0.6
``stale``      verified, but retention has fallen below the review threshold (0.6)
``invalidated``  every pass was made against lab content that has changed since: re-check
``inferred``   no pass of its own, but a node that depends on it is verified (credit flows
               down the prerequisite edges)
``claimed``    status done, without a pass
``none``       nothing of the above
=============  ===========================================================================

**The schedule.** After the first verified pass the retention of a node falls as
``2 ** (-dt / I)``, ``dt`` the time since its last review and ``I`` its interval: 7, 21,
60, 120 then 240 days. A review is a pass at a seed no earlier pass of that node used
(the same exercise with fresh data, so it cannot be passed from a remembered output); it
steps the interval up and restarts the clock. A pass at a used seed still proves the skill
(it re-checks a changed lab) but is not a review. A failed learner run after the first
pass is a failed review: the interval steps back one place (several failures before the
next pass count once) and the clock is not restarted, so the node falls due sooner. A node
is due when its retention is below :data:`REVIEW_THRESHOLD`, that is
``log2(1 / 0.6) = 0.737`` intervals after its last review.

**Implicit credit** (Math Academy's FIRe, on our edges). A first pass or a review of a
node counts as a discounted review of each ancestor that has a schedule of its own:
``credit = weight * min(1, dt / I)`` with the ancestor's ``dt`` and ``I`` at that moment,
and the ancestor's clock moves forward by ``credit * dt`` (its interval stays). An edge's
weight is the dependent's ``encompasses`` entry for that prerequisite, else
:data:`~graph.model.DEFAULT_CREDIT` (0.5); an ancestor further up gets the product of the
weights along the path (the best path when there are several).

Everything here is pure: the functions take the runs (:class:`RunFact`), the statuses,
the lab files' hashes and the time, and read no database. :func:`lab_files` is the one
function that touches files (it hashes the lab scripts, cached by their size and mtime).
:mod:`graph.store.ledger` reads the runs through the store and calls these.

Examples
--------
>>> round(retention(7, 7), 3), round(retention(0, 21), 3)
(0.5, 1.0)
>>> round(due_after_days(7), 2)
5.16
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from graph.model import Roadmap
from graph.queries import topological_order

__all__ = [
    "EVIDENCE",
    "EVIDENCE_COLOURS",
    "HELD",
    "INTERVALS_DAYS",
    "REVIEW_THRESHOLD",
    "RunFact",
    "LabFile",
    "Proof",
    "NodeEvidence",
    "SectionEvidence",
    "Review",
    "NodeCoverage",
    "TeamLedger",
    "retention",
    "due_after_days",
    "credit_weights",
    "lab_files",
    "node_evidence",
    "evidence_words",
    "team_words",
    "section_evidence",
]

# the evidence words, strongest first (the order of legends and tables)
EVIDENCE = ("verified", "stale", "invalidated", "inferred", "claimed", "none")
HELD = frozenset(EVIDENCE[:-1])  # evidence that a member covers a node
# one colour per kind of evidence: the Team page's matrix and the spreadsheet export
EVIDENCE_COLOURS = {"verified": "#38761d", "stale": "#f1c232", "invalidated": "#cc4125",
                    "inferred": "#9fc5e8", "claimed": "#b7b7b7", "none": "#f3f3f3"}
INTERVALS_DAYS = (7, 21, 60, 120, 240)  # review intervals, stepped up by each review
REVIEW_THRESHOLD = 0.6  # a node is due for review when its retention falls below this
DAY = 86_400.0  # seconds
_DUE_FACTOR = math.log2(1 / REVIEW_THRESHOLD)  # due this many intervals after a review


class RunFact(NamedTuple):
    """A lab run with the learner's own solution, as the ledger reads it.

    ``at`` is when it ended (else when it started), in POSIX seconds. Runs of the
    reference solution prove nothing and are not facts; ``partial`` runs neither.
    """

    node: str
    at: float
    status: str
    seed: int | None
    lab_sha256: str | None
    quick: bool = False
    device: str | None = None
    solution_sha256: str | None = None


class LabFile(NamedTuple):
    """A lab script's current content hash, and when the file was last written."""

    sha256: str
    changed_at: datetime


@dataclass(frozen=True)
class Proof:
    """The latest verified pass of a node: what a team lead reads as "can do it"."""

    at: datetime
    seed: int | None
    lab_sha256: str | None  # the lab file's content hash when it passed
    solution_sha256: str | None  # the learner's solution file's hash
    device: str | None
    quick: bool
    current: bool  # made against the lab's current content (or before hashes were kept)


@dataclass(frozen=True)
class NodeEvidence:
    """A user's evidence of one node, with its schedule when it has one."""

    node: str
    status: str  # the learner's plan: todo, learning, done, skipped
    evidence: str  # one of EVIDENCE
    retention: float | None = None  # now, 0-1; None without a verified pass
    due: datetime | None = None  # when retention falls below the threshold
    interval_days: int | None = None
    reviews: int = 0  # passes at a fresh seed after the first
    lapses: int = 0  # failed reviews
    proof: Proof | None = None
    via: tuple[str, ...] = ()  # inferred: the verified nodes that depend on it

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 UTC, retention to four places."""
        p = self.proof
        return {
            "node": self.node, "status": self.status, "evidence": self.evidence,
            "retention": None if self.retention is None else round(self.retention, 4),
            "due": _iso(self.due), "interval_days": self.interval_days,
            "reviews": self.reviews, "lapses": self.lapses,
            "verified_at": _iso(p.at) if p else None,
            "lab_sha256": p.lab_sha256 if p else None,
            "solution_sha256": p.solution_sha256 if p else None,
            "device": p.device if p else None,
            "via": list(self.via),
        }


@dataclass(frozen=True)
class SectionEvidence:
    """How many of a section's nodes have each kind of evidence."""

    section: str
    title: str
    colour: str
    total: int
    counts: dict[str, int]

    def fraction(self, evidence: str) -> float:
        """The share of the section's nodes with ``evidence`` (0 for an empty section)."""
        return self.counts.get(evidence, 0) / self.total if self.total else 0.0


@dataclass(frozen=True)
class Review:
    """A node due for review (or for a re-check of a changed lab), and how to do it."""

    node: str
    evidence: str  # "stale" or "invalidated"
    due: datetime
    overdue_days: float
    retention: float
    interval_days: int
    unlocks: int  # nodes that depend on it, directly or not
    value: float  # the rank: (1 + unlocks) * (1 + overdue / interval)
    seed: int  # a seed no earlier run of this user and node used
    quick: bool
    command: str  # the CLI command that runs the review

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (times as ISO 8601 UTC)."""
        return {"node": self.node, "evidence": self.evidence, "due": _iso(self.due),
                "overdue_days": round(self.overdue_days, 2),
                "retention": round(self.retention, 4), "interval_days": self.interval_days,
                "unlocks": self.unlocks, "value": round(self.value, 3), "seed": self.seed,
                "quick": self.quick, "command": self.command}


@dataclass(frozen=True)
class NodeCoverage:
    """How a team covers one node: members by evidence, and who holds a fresh pass."""

    node: str
    counts: dict[str, int]  # evidence -> members
    holders: tuple[str, ...]  # members with verified (fresh) evidence, by name

    @property
    def verified(self) -> int:
        """Members whose evidence is verified (fresh)."""
        return self.counts.get("verified", 0)

    @property
    def bus_factor_1(self) -> bool:
        """Exactly one member holds a fresh verified pass."""
        return self.verified == 1

    @property
    def stale_only(self) -> bool:
        """Nobody's pass is fresh, but someone's is stale."""
        return self.verified == 0 and self.counts.get("stale", 0) > 0

    @property
    def uncovered(self) -> bool:
        """Nobody has any evidence of it (not even a claim)."""
        return not any(self.counts.get(e, 0) for e in HELD)


@dataclass
class TeamLedger:
    """Members x nodes, each cell an evidence word, and the coverage of every node.

    ``cells`` holds each member's nodes whose evidence is not ``none``.
    """

    team: str
    members: list[str]
    nodes: list[str]
    cells: dict[str, dict[str, str]]
    coverage: list[NodeCoverage] = field(default_factory=list)

    def evidence(self, member: str, node: str) -> str:
        """The evidence of ``member`` for ``node``."""
        return self.cells.get(member, {}).get(node, "none")

    def row(self, member: str) -> list[str]:
        """A member's evidence in node order."""
        mine = self.cells.get(member, {})
        return [mine.get(n, "none") for n in self.nodes]


# --------------------------------------------------------------------------- arithmetic


def retention(elapsed_days: float, interval_days: float) -> float:
    """``2 ** (-elapsed / interval)``: 1 right after a review, 0.5 one interval later."""
    return 2.0 ** (-max(elapsed_days, 0.0) / interval_days)


def due_after_days(interval_days: float) -> float:
    """Days after a review when retention falls below :data:`REVIEW_THRESHOLD`."""
    return interval_days * _DUE_FACTOR


def credit_weights(roadmap: Roadmap) -> dict[str, tuple[tuple[str, float], ...]]:
    """For each node, its ancestors with the credit a pass of it gives them (> 0 only).

    The weight of an ancestor is the product of the edge weights along the path (the
    largest over all paths); an edge's weight is :meth:`Roadmap.credit_weight`. Cached on
    the roadmap.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> rm = load_roadmap()
    >>> dict(credit_weights(rm)["backpropagation"])["calculus"]
    0.8
    """
    def compute() -> dict[str, tuple[tuple[str, float], ...]]:
        order = topological_order(roadmap) or list(roadmap.nodes)
        best: dict[str, dict[str, float]] = {}
        for n in order:
            mine: dict[str, float] = {}
            for p in roadmap.pred.get(n, ()):
                w = roadmap.credit_weight(p, n)
                if w <= 0:
                    continue
                mine[p] = max(mine.get(p, 0.0), w)
                for a, wa in best.get(p, {}).items():
                    if w * wa > mine.get(a, 0.0):
                        mine[a] = w * wa
            best[n] = mine
        return {n: tuple(sorted(best.get(n, {}).items())) for n in roadmap.nodes}

    return roadmap.cached("credit_weights", compute)


_HASHES: dict[tuple[str, int, int], str] = {}  # (path, mtime_ns, size) -> sha256


def lab_files(roadmap: Roadmap) -> dict[str, LabFile]:
    """Each node's lab script: its sha256 now, and when it was last written.

    Nodes without a lab, or whose script is missing, are absent. Hashes are cached by
    (path, mtime, size), so asking again costs a ``stat`` per lab.
    """
    out: dict[str, LabFile] = {}
    for nid in roadmap.nodes:
        path = roadmap.lab_path(nid)
        if path is None:
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue
        key = (str(path), st.st_mtime_ns, st.st_size)
        sha = _HASHES.get(key)
        if sha is None:
            try:
                sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                continue
            _HASHES[key] = sha
        out[nid] = LabFile(sha, datetime.fromtimestamp(st.st_mtime, UTC))
    return out


# --------------------------------------------------------------------------- the replay


class _Schedule:
    """A node's schedule while a user's runs are replayed (times in POSIX seconds)."""

    __slots__ = ("level", "anchor", "reviews", "lapses", "failing", "seeds", "valid",
                 "last")

    def __init__(self, run: RunFact, valid: bool) -> None:
        self.level = 0
        self.anchor: float = run[1]
        self.reviews = self.lapses = 0
        self.failing = False  # the latest run since the last pass failed
        self.seeds = {run[3]}
        self.valid = valid  # some pass was made against the lab's current content
        self.last = run  # the latest verified pass


_INTERVAL_S = tuple(d * DAY for d in INTERVALS_DAYS)  # the intervals in seconds
_DUE_S = tuple(i * _DUE_FACTOR for i in _INTERVAL_S)  # due this long after a review
_TOP = len(INTERVALS_DAYS) - 1


class _Setting(NamedTuple):
    """What every replay over one roadmap and one set of lab files shares."""

    weights: dict[str, tuple[tuple[str, float], ...]]
    alias: dict[str, str]
    shas: dict[str, str]
    nodes: dict[str, Any]


def _setting(roadmap: Roadmap, labs: Mapping[str, LabFile]) -> _Setting:
    return _Setting(credit_weights(roadmap), roadmap.alias_map,
                    {n: f.sha256 for n, f in labs.items()}, roadmap.nodes)


def _replay(setting: _Setting, runs: Iterable[RunFact], now: float) -> dict[str, _Schedule]:
    """Each node's schedule after the runs up to ``now`` (runs in time order).

    A run is read by position (node, at, status, seed, lab_sha256, ...), so any tuple
    shaped like :class:`RunFact` will do: the team view passes the driver's rows as they
    come, without building an object per run.
    """
    weights, alias, shas = setting.weights, setting.alias, setting.shas
    scheds: dict[str, _Schedule] = {}
    get = scheds.get
    for run in runs:
        at = run[1]
        if at > now:
            break
        node = run[0]
        if alias:
            node = alias.get(node, node)
        ancestors = weights.get(node)
        if ancestors is None:  # a node this roadmap does not have
            continue
        s = get(node)
        if run[2] != "pass":
            if run[2] == "fail" and s is not None and not s.failing:
                s.failing = True  # a failed review: the interval steps back once
                s.lapses += 1
                if s.level:
                    s.level -= 1
            continue
        sha = run[4]
        current = sha is None or sha == shas.get(node, sha)
        if s is None:
            scheds[node] = _Schedule(run, current)
        else:
            s.last, s.failing = run, False
            if current:
                s.valid = True
            seed = run[3]
            if seed is None or seed in s.seeds:
                continue  # a pass, not a review: the same data as before (or unknown)
            s.seeds.add(seed)
            if s.level < _TOP:
                s.level += 1
            s.anchor = at
            s.reviews += 1
        for a, w in ancestors:  # implicit credit: a discounted review of each ancestor
            sa = get(a)
            if sa is not None:
                dt = at - sa.anchor
                if dt > 0:
                    interval = _INTERVAL_S[sa.level]
                    sa.anchor += w * (dt / interval if dt < interval else 1.0) * dt
    return scheds


def _word(s: _Schedule, now: float) -> str:
    if not s.valid:
        return "invalidated"
    return "stale" if now - s.anchor > _DUE_S[s.level] else "verified"


def _inferred(setting: _Setting, words: dict[str, str]) -> dict[str, list[str]]:
    """Nodes without a schedule that a verified node depends on, each with those nodes."""
    weights = setting.weights
    out: dict[str, list[str]] = {}
    for node, word in words.items():
        if word == "verified":
            for a, _w in weights[node]:
                if a not in words:
                    out.setdefault(a, []).append(node)
    return out


def _words(setting: _Setting, runs: Iterable[RunFact], done: Iterable[str], now: float
           ) -> dict[str, str]:
    words = {n: _word(s, now) for n, s in _replay(setting, runs, now).items()}
    for a in _inferred(setting, words):
        words[a] = "inferred"
    nodes, alias = setting.nodes, setting.alias
    for n in done:
        if alias:
            n = alias.get(n, n)
        if n in nodes and n not in words:
            words[n] = "claimed"
    return words


def evidence_words(roadmap: Roadmap, runs: Iterable[RunFact], done: Iterable[str],
                   labs: Mapping[str, LabFile], now: datetime) -> dict[str, str]:
    """The evidence of each node that has some (``none`` is left out): the fast path of
    :func:`node_evidence`.

    Parameters
    ----------
    roadmap : Roadmap
    runs : iterable of RunFact
        The user's learner runs, in time order.
    done : iterable of str
        The nodes whose status is done.
    labs : mapping
        :func:`lab_files` of the roadmap.
    now : datetime
    """
    return _words(_setting(roadmap, labs), runs, done, now.timestamp())


def team_words(roadmap: Roadmap, runs: Mapping[str, Iterable[RunFact]],
               done: Mapping[str, Iterable[str]], labs: Mapping[str, LabFile],
               now: datetime) -> dict[str, dict[str, str]]:
    """:func:`evidence_words` of many members at once (``runs`` and ``done`` by member);
    what they share (credit weights, lab hashes) is worked out once."""
    setting, t = _setting(roadmap, labs), now.timestamp()
    members = set(runs) | set(done)
    return {m: _words(setting, runs.get(m, ()), done.get(m, ()), t) for m in members}


def node_evidence(roadmap: Roadmap, runs: Iterable[RunFact], statuses: Mapping[str, str],
                  labs: Mapping[str, LabFile], now: datetime) -> dict[str, NodeEvidence]:
    """A user's evidence of every node of the roadmap, in roadmap order.

    Parameters
    ----------
    roadmap : Roadmap
    runs : iterable of RunFact
        The user's learner runs, in time order (runs after ``now`` are ignored).
    statuses : mapping
        Node id to the user's status (nodes absent are todo).
    labs : mapping
        :func:`lab_files` of the roadmap.
    now : datetime
        The time to read the ledger at (``graph.config.now()``).

    Returns
    -------
    dict
        Node id to :class:`NodeEvidence`.

    Examples
    --------
    >>> from datetime import timedelta
    >>> from graph import load_roadmap
    >>> rm = load_roadmap()
    >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
    >>> runs = [RunFact("backpropagation", t0.timestamp(), "pass", 0, None)]
    >>> ev = node_evidence(rm, runs, {"calculus": "done"}, {}, t0 + timedelta(days=3))
    >>> ev["backpropagation"].evidence, ev["calculus"].evidence, ev["cnn"].evidence
    ('verified', 'inferred', 'none')

    Six days later the 7-day interval's retention is below 0.6: the pass is stale, and a
    stale pass no longer vouches for its prerequisites (calculus is only claimed).

    >>> ev = node_evidence(rm, runs, {"calculus": "done"}, {}, t0 + timedelta(days=6))
    >>> ev["backpropagation"].evidence, ev["calculus"].evidence
    ('stale', 'claimed')
    """
    t = now.timestamp()
    alias = roadmap.alias_map
    setting = _setting(roadmap, labs)
    scheds = _replay(setting, runs, t)
    words = {n: _word(s, t) for n, s in scheds.items()}
    via = _inferred(setting, words)
    status = {alias.get(n, n): s for n, s in statuses.items()}
    out: dict[str, NodeEvidence] = {}
    for nid in roadmap.nodes:
        st = status.get(nid, "todo")
        s = scheds.get(nid)
        if s is None:
            word = "inferred" if nid in via else "claimed" if st == "done" else "none"
            out[nid] = NodeEvidence(nid, st, word, via=tuple(sorted(via.get(nid, ()))))
            continue
        interval = INTERVALS_DAYS[s.level]
        last, lab = s.last, labs.get(nid)
        proof = Proof(_dt(last.at), last.seed, last.lab_sha256, last.solution_sha256,
                      last.device, last.quick,
                      last.lab_sha256 is None or lab is None or last.lab_sha256 == lab.sha256)
        out[nid] = NodeEvidence(
            nid, st, words[nid], retention((t - s.anchor) / DAY, interval),
            _dt(s.anchor + due_after_days(interval) * DAY), interval, s.reviews, s.lapses,
            proof)
    return out


def section_evidence(roadmap: Roadmap, ledger: Mapping[str, NodeEvidence]
                     ) -> list[SectionEvidence]:
    """Per section, in roadmap order: how many nodes have each kind of evidence."""
    out = []
    for sec in roadmap.sections:
        ids = [n.id for n in roadmap.in_section(sec.id)]
        counts = dict.fromkeys(EVIDENCE, 0)
        for i in ids:
            counts[ledger[i].evidence if i in ledger else "none"] += 1
        out.append(SectionEvidence(sec.id, sec.title, sec.colour, len(ids), counts))
    return out


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat(
        timespec="seconds").replace("+00:00", "Z")
