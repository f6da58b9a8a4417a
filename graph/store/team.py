"""What the store knows about people, read against the roadmap: section progress, the skill
matrix, what nobody covers, who can help, completions over time.

Free functions that take the roadmap and the store first. They run their SQL through the
store's public read API (:meth:`Store.read` and its lookups), never through its private
parts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from graph.model import FINISHED, STATUSES, Roadmap
from graph.store.records import CELLS, Cell, CompletionPoint, Helper, SectionProgress, SkillMatrix
from graph.store.schema import events_t, progress_t, users_t
from graph.store.store import Store

__all__ = [
    "section_progress",
    "skill_matrix",
    "uncovered_nodes",
    "who_can_help",
    "completions_over_time",
]


def section_progress(roadmap: Roadmap, store: Store, user: str) -> list[SectionProgress]:
    """A user's progress per section: (done + skipped) / total and what remains.

    Sections come in roadmap order; ``remaining`` lists the nodes neither done nor
    skipped, in roadmap order. Progress on nodes the roadmap lacks is not counted.
    """
    statuses = store.statuses(user)
    out = []
    for sec in roadmap.sections:
        ids = [n.id for n in roadmap.nodes.values() if n.section == sec.id]
        st = {i: statuses[i] for i in ids if i in statuses}
        count: dict[str, int] = defaultdict(int)
        for s in st.values():
            count[s.status] += 1
        out.append(SectionProgress(
            sec.id, sec.title, sec.colour, len(ids), count["done"], count["skipped"],
            count["learning"], sum(1 for s in st.values() if s.verified),
            [i for i in ids if i not in st or st[i].status not in FINISHED]))
    return out


def skill_matrix(roadmap: Roadmap, store: Store, team: str) -> SkillMatrix:
    """The team's members x the roadmap's nodes, each cell a status and a verified flag.

    Examples
    --------
    >>> import tempfile
    >>> from graph import load_roadmap, open_store
    >>> roadmap = load_roadmap()
    >>> store = open_store(f"sqlite:///{tempfile.mkdtemp()}/p.db", roadmap=roadmap)
    >>> _ = store.add_user("ana"), store.add_team("ml-team", admin="ana")
    >>> _ = store.set_status("ana", "backpropagation", "done")
    >>> skill_matrix(roadmap, store, "ml-team").cell("ana", "backpropagation")
    Cell(status='done', verified=False)
    """
    nodes = list(roadmap.nodes)
    known = set(nodes)
    with store.read() as conn:
        member_ids = store.member_ids(conn, team)
        members = dict(conn.execute(
            sa.select(users_t.c.id, users_t.c.name).where(users_t.c.id.in_(member_ids))
            .order_by(users_t.c.name)).all())
        # a todo row draws like no row: leave them out. The rows are fetched as the
        # driver's plain tuples: a Row object per cell would triple the time of a
        # 1,000-member team's 30,000 cells
        result = conn.execute(
            sa.select(progress_t.c.user_id, progress_t.c.node_id, progress_t.c.status)
            .where(progress_t.c.user_id.in_(member_ids), progress_t.c.status != "todo"))
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
        verified = store.verified_nodes(conn, member_ids)
    by_uid: dict[int, dict[str, Cell]] = {uid: {} for uid in members}
    plain = {s: CELLS[s, False] for s in STATUSES}
    for uid, node, status in rows:
        if node in known:
            by_uid[uid][node] = plain[status]
    for uid, passed in verified.items():
        mine = by_uid[uid]
        for node in passed & known:
            mine[node] = CELLS[mine[node].status if node in mine else "todo", True]
    return SkillMatrix(team, list(members.values()), nodes,
                       {members[uid]: mine for uid, mine in by_uid.items()})


def uncovered_nodes(roadmap: Roadmap, store: Store, team: str) -> list[str]:
    """The roadmap's nodes that nobody on ``team`` has done (in roadmap order)."""
    with store.read() as conn:
        done = set(conn.scalars(sa.select(progress_t.c.node_id).distinct().where(
            progress_t.c.user_id.in_(store.member_ids(conn, team)),
            progress_t.c.status == "done")))
    return [n for n in roadmap.nodes if n not in done]


def who_can_help(roadmap: Roadmap, store: Store, node: str, team: str | None = None
                 ) -> list[Helper]:
    """The users who have done ``node`` (verified first, then most recent first).

    Raises
    ------
    NodeNotFound
        For an unknown node (with suggestions) or team.
    """
    node = roadmap.get(node).id
    with store.read() as conn:
        q = (sa.select(users_t.c.id, users_t.c.name, progress_t.c.status,
                       progress_t.c.updated_at)
             .join(progress_t, progress_t.c.user_id == users_t.c.id)
             .where(progress_t.c.node_id == node, progress_t.c.status == "done"))
        if team is not None:
            q = q.where(users_t.c.id.in_(store.member_ids(conn, team)))
        rows = conn.execute(q).all()
        verified = store.verified_nodes(conn, [r.id for r in rows])
    helpers = [Helper(r.name, r.status, node in verified.get(r.id, ()), r.updated_at)
               for r in rows]
    helpers.sort(key=lambda h: (not h.verified, -h.updated_at.timestamp(), h.user))
    return helpers


def completions_over_time(store: Store, *, user: str | None = None, team: str | None = None,
                          roadmap: Roadmap | None = None) -> list[CompletionPoint]:
    """Per day: how many nodes became done or skipped (net), and the running total.

    Computed from the events, so it is the history as it happened. ``user`` or ``team``
    narrows it; with a ``roadmap``, nodes it lacks are left out.
    """
    with store.read() as conn:
        q = sa.select(events_t.c.at, events_t.c.node_id, events_t.c.from_status,
                      events_t.c.to_status).order_by(events_t.c.at, events_t.c.id)
        mine = store.narrow(conn, q, events_t, user)
        if mine is None:
            return []
        if team is not None:
            mine = mine.where(events_t.c.user_id.in_(store.member_ids(conn, team)))
        rows = conn.execute(mine).all()
    per_day: dict[date, int] = {}
    for at, node, frm, to in rows:
        if roadmap is not None and node not in roadmap.nodes:
            continue
        delta = (to in FINISHED) - (frm in FINISHED)
        if delta:
            per_day[at.date()] = per_day.get(at.date(), 0) + delta
    out, total = [], 0
    for day in sorted(per_day):
        if per_day[day]:
            total += per_day[day]
            out.append(CompletionPoint(day, per_day[day], total))
    return out
