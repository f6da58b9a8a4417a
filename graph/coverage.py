"""Views over the evidence: the review queue, a team's coverage, the gap to a role.

Built from :mod:`graph.evidence`'s per-node records; no database here (the store's
queries in :mod:`graph.store.ledger` read the runs and call these).
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.config import solution_path
from graph.evidence import (
    DAY,
    EVIDENCE,
    LabFile,
    NodeCoverage,
    NodeEvidence,
    Review,
    TeamLedger,
)
from graph.model import Roadmap
from graph.queries import descendant_counts, role_path

__all__ = ["review_queue", "fresh_seed", "team_coverage", "COVERAGE_COLUMNS",
           "coverage_table", "RoleGap", "role_gap"]


# --------------------------------------------------------------------------- reviews


def fresh_seed(user: str, node: str, used: Iterable[int | None]) -> int:
    """A seed from 1 to 99,999 that ``used`` lacks, the same for the same arguments and
    different from user to user (teammates cannot swap expected outputs).

    Examples
    --------
    >>> s = fresh_seed("ana", "calculus", [0])
    >>> s == fresh_seed("ana", "calculus", [0]), s in (0,), 1 <= s <= 99_999
    (True, False, True)
    """
    taken = set(used)
    k = 0
    while True:
        digest = hashlib.sha256(f"{user}\0{node}\0{k}".encode()).digest()
        seed = int.from_bytes(digest[:4], "big") % 99_999 + 1
        if seed not in taken:
            return seed
        k += 1


def review_queue(roadmap: Roadmap, user: str, ledger: Mapping[str, NodeEvidence],
                 seeds: Mapping[str, Iterable[int | None]], labs: Mapping[str, LabFile],
                 now: datetime) -> list[Review]:
    """What ``user`` should review now, most valuable first.

    Due are the stale nodes (retention below the threshold) and the invalidated ones (a
    re-check of a changed lab, due since the later of the last pass and the lab file's
    change). The rank is ``(1 + unlocks) * (1 + overdue / interval)``: what the node
    leads to, and how far past due it is; ties go to the earlier due date, then the id.

    Parameters
    ----------
    roadmap : Roadmap
    user : str
        Whose queue (the command names them).
    ledger : mapping
        :func:`node_evidence` of the user.
    seeds : mapping
        Node id to the seeds every earlier run of that node used.
    labs : mapping
        :func:`lab_files` of the roadmap.
    now : datetime
    """
    due_nodes = [e for e in ledger.values() if e.evidence in ("stale", "invalidated")]
    unlocks = descendant_counts(roadmap, [e.node for e in due_nodes])
    out = []
    for e in due_nodes:
        assert e.due is not None and e.interval_days is not None and e.proof is not None
        due = e.due
        if e.evidence == "invalidated":
            lab = labs.get(e.node)
            since = max(e.proof.at, lab.changed_at) if lab is not None else e.proof.at
            due = min(due, since)
        overdue = max((now - due).total_seconds() / DAY, 0.0)
        seed = fresh_seed(user, e.node, seeds.get(e.node, ()))
        path = solution_path(user, e.node)
        command = (f"roadmap lab run {e.node} --solution {shlex.quote(str(path))} "
                   f"--seed {seed}" + (" --quick" if e.proof.quick else "")
                   + f" --user {shlex.quote(user)}")
        value = (1 + unlocks[e.node]) * (1 + overdue / e.interval_days)
        out.append(Review(e.node, e.evidence, due, overdue, e.retention or 0.0,
                          e.interval_days, unlocks[e.node], value, seed, e.proof.quick,
                          command))
    out.sort(key=lambda r: (-r.value, r.due, r.node))
    return out


# --------------------------------------------------------------------------- teams


def team_coverage(roadmap: Roadmap, team: str, members: list[str],
                  cells: dict[str, dict[str, str]]) -> TeamLedger:
    """The team's ledger: ``cells`` (member -> node -> evidence, ``none`` left out) and,
    per node, how many members hold each kind of evidence and who holds a fresh pass."""
    nodes = list(roadmap.nodes)
    counts = {n: dict.fromkeys(EVIDENCE, 0) for n in nodes}
    holders: dict[str, list[str]] = {n: [] for n in nodes}
    for member in members:
        for node, word in cells.get(member, {}).items():
            c = counts.get(node)
            if c is None:
                continue
            c[word] += 1
            if word == "verified":
                holders[node].append(member)
    for n in nodes:
        counts[n]["none"] = len(members) - sum(counts[n].values())
    coverage = [NodeCoverage(n, counts[n], tuple(sorted(holders[n]))) for n in nodes]
    return TeamLedger(team, members, nodes, cells, coverage)


COVERAGE_COLUMNS = ("node", "title", "section", *EVIDENCE, "bus_factor_1", "stale_only",
                    "nobody_covers", "verified_holders")


def coverage_table(roadmap: Roadmap, ledger: TeamLedger, lang: str = "en"
                   ) -> tuple[list[str], list[list[Any]]]:
    """The team's ledger as one table: a row per node with its coverage columns, then a
    column per member holding that member's evidence (what ``team show`` exports).

    Returns
    -------
    (header, rows)
        ``rows`` hold str, int and bool values; holders are joined with ``"; "``.
    """
    header = [*COVERAGE_COLUMNS, *ledger.members]
    rows: list[list[Any]] = []
    for cov in ledger.coverage:
        node = roadmap.nodes[cov.node]
        rows.append([cov.node, node.title_in(lang), node.section,
                     *(cov.counts[e] for e in EVIDENCE), cov.bus_factor_1, cov.stale_only,
                     cov.uncovered, "; ".join(cov.holders),
                     *(ledger.evidence(m, cov.node) for m in ledger.members)])
    return header, rows


@dataclass(frozen=True)
class RoleGap:
    """How far a member is from a role profile.

    ``steps`` and ``hours`` are what :func:`~graph.queries.role_path` leaves to learn by
    the member's statuses; ``verified`` counts the nodes of the whole role (its targets
    and every prerequisite) that the member holds a fresh verified pass of.
    """

    member: str
    role: str
    steps: list[str]
    hours: float
    verified: int
    total: int


def role_gap(roadmap: Roadmap, role: str, member: str, done: Iterable[str],
             evidence: Mapping[str, str]) -> RoleGap:
    """A member's gap to ``role``: the remaining path by their ``done`` (and skipped) nodes,
    and how much of the role's whole path their ``evidence`` (node -> word) verifies.

    Raises
    ------
    NodeNotFound
        For an unknown role (with close role ids).
    """
    left = role_path(roadmap, role, done)
    whole = role_path(roadmap, role).steps
    verified = sum(1 for n in whole if evidence.get(n) == "verified")
    return RoleGap(member, left.target, left.steps, left.hours, verified, len(whole))
