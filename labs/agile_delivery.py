"""Agile delivery in numbers: flow metrics and a sprint burndown from a Jira changelog.

Scrum plans work in fixed sprints: the team commits story points at sprint planning, follows
the points still to do on a *burndown chart* at each daily stand-up, and forecasts with its
*velocity* (points completed per sprint). Kanban lets tickets flow across a board (To Do ->
In Progress -> In Review -> Done, as in Jira or Trello) under a work-in-progress limit and
measures flow: *cycle time*, *throughput* (items finished per week) and *WIP* (items in
progress). Little's law ties them: average WIP = throughput x average cycle time, exactly
over a window that starts and ends with an empty board, only approximately over one that
cuts through unfinished work. Shared, factual numbers like these are how a
multidisciplinary team (researchers, engineers, product) talks about delivery.

The numbers come from the tracker's *changelog*: every field change of every ticket, with
a timestamp. Real exports have traps. The histories come in no guaranteed order (this
export lists them newest first). One history can change several fields at once (Jira sets
the resolution and the status together, the resolution listed first). Times carry a UTC
offset that changes at daylight saving time (+0100 to +0200 on 2024-03-31). Tickets get
reopened (Done -> In Progress), and some are still open on export day. Cycle time here is
what Jira's control chart measures: the time spent in the in-progress columns (In Progress
and In Review), summed over every visit, for tickets that are Done.

The lab reads ``labs/data/agile_delivery/jira_export.json`` (28 tickets of an ML team over
three sprints, shaped like Jira's REST export). You write ``status_timeline``,
``cycle_times``, ``wip_at``, ``weekly_throughput`` and ``burndown``; each is checked against
an independent pandas recount of the export, and Little's law is checked with your numbers.

$ python labs/agile_delivery.py --quick
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("status_timeline", "cycle_times", "wip_at", "weekly_throughput", "burndown")
DATA = Path(__file__).resolve().parent / "data" / "agile_delivery" / "jira_export.json"
IN_PROGRESS = ("In Progress", "In Review")  # the board's in-progress columns
DONE = "Done"
CET, CEST = (dt.timezone(dt.timedelta(hours=h)) for h in (1, 2))  # Madrid, winter / summer


@dataclass
class Config:
    sprint: str = "RL Sprint 2"  # the sprint whose burndown is drawn
    sprint_days: tuple = (2024, 3, 18, 12)  # its first day (y, m, d) and length in days
    sle_percentile: float = 85.0  # service-level expectation: 85% of items finish within


# ----------------------------------------------------------------- exercises
def status_timeline(issue: dict) -> list:
    """One exported issue's status history: ``(time, status)`` pairs in time order, first
    ``(created, "To Do")`` from ``issue["fields"]["created"]``, then one pair per item with
    ``field == "status"`` in ``issue["changelog"]["histories"]`` (the history's
    ``created``, the item's ``toString``). Histories come in no guaranteed order and one may
    change several fields. Times are timezone-aware ``datetime`` objects for the export's
    instants: the UTC offset matters (``datetime.fromisoformat`` reads
    "2024-03-04T10:30:12.000+0100")."""
    pairs = [(dt.datetime.fromisoformat(issue["fields"]["created"]), "To Do")]
    for h in issue["changelog"]["histories"]:
        when = dt.datetime.fromisoformat(h["created"])
        pairs += [(when, it["toString"]) for it in h["items"] if it["field"] == "status"]
    return sorted(pairs, key=lambda p: p[0])


def cycle_times(timelines: dict) -> dict:
    """Cycle time in days (float, 86400 s a day) of every issue whose last status is
    ``DONE``: the time it spent in an ``IN_PROGRESS`` status, summed over every visit (a
    reopened issue's second visit counts; the time it sat in Done meanwhile does not).
    ``timelines`` maps issue key -> its ``status_timeline``; returns key -> days."""
    out = {}
    for key, tl in timelines.items():
        if tl[-1][1] == DONE:
            out[key] = sum((t_next - t).total_seconds() for (t, status), (t_next, _)
                           in pairwise(tl) if status in IN_PROGRESS) / 86400
    return out


def wip_at(timelines: dict, t: dt.datetime) -> int:
    """Work in progress at time ``t``: the number of issues whose status at ``t`` is in
    ``IN_PROGRESS``, an issue's status at ``t`` being the one set by its last change at or
    before ``t`` (an issue created after ``t`` has none)."""
    n = 0
    for tl in timelines.values():
        seen = [status for when, status in tl if when <= t]
        n += bool(seen) and seen[-1] in IN_PROGRESS
    return n


def weekly_throughput(timelines: dict, week_starts: list) -> list:
    """Issues finished per week: for each ``start`` in ``week_starts``, how many issues whose
    last status is ``DONE`` entered Done for the last time in ``[start, start + 7 days)``.
    A reopened issue counts once, when it is finally done; one still open counts nowhere."""
    finished = [tl[-1][0] for tl in timelines.values() if tl[-1][1] == DONE]
    week = dt.timedelta(days=7)
    return [sum(s <= f < s + week for f in finished) for s in week_starts]


def burndown(timelines: dict, scope: dict, times: list) -> list:
    """Sprint burndown: for each time ``t`` in ``times``, the story points still to do: the
    sum of ``points`` over the issues of ``scope`` (key -> ``(points, added)``, ``added``
    being when the issue joined the sprint) that have ``added <= t`` and whose status at
    ``t`` (set by their last change at or before ``t``) is not ``DONE``. A reopened issue's
    points come back."""
    out = []
    for t in times:
        left = 0
        for key, (points, added) in scope.items():
            seen = [status for when, status in timelines[key] if when <= t]
            left += points if added <= t and seen[-1] != DONE else 0
        out.append(left)
    return out


# ----------------------------------------------------------- data and oracle
def sprint_scope(export: dict, sprint: str) -> dict:
    """key -> (story points, when the issue joined ``sprint``), from the Sprint field's changes."""
    scope = {}
    for issue in export["issues"]:
        for h in sorted(issue["changelog"]["histories"], key=lambda h: h["created"]):
            for it in h["items"]:
                if it["field"] == "Sprint" and sprint in it["toString"].split(", ") and \
                        sprint not in (it["fromString"] or "").split(", "):
                    scope[issue["key"]] = (issue["fields"]["customfield_10016"],
                                           dt.datetime.fromisoformat(h["created"]))
    return scope


def recount(export: dict):
    """Oracle: one pandas row per status interval (key, since, status, until), in UTC."""
    import pandas as pd

    rows = []
    for issue in export["issues"]:
        rows.append((issue["key"], issue["fields"]["created"], "To Do"))
        rows += [(issue["key"], h["created"], it["toString"])
                 for h in issue["changelog"]["histories"] for it in h["items"]
                 if it["field"] == "status"]
    ev = pd.DataFrame(rows, columns=["key", "since", "status"])
    ev["since"] = pd.to_datetime(ev["since"], format="%Y-%m-%dT%H:%M:%S.%f%z", utc=True)
    ev = ev.sort_values(["key", "since"], kind="stable").reset_index(drop=True)
    ev["until"] = ev.groupby("key")["since"].shift(-1)
    ev["until"] = ev["until"].fillna(pd.Timestamp(export["exportedAt"]).tz_convert("UTC"))
    return ev


def body(lab: kit.Lab) -> None:
    export = json.loads(DATA.read_text())
    cfg, now = Config(), dt.datetime.fromisoformat(export["exportedAt"])
    ev = recount(export)
    ip = ev[ev.status.isin(IN_PROGRESS)]
    last = ev.groupby("key").tail(1).set_index("key")
    done_keys = sorted(last.index[last.status == DONE])
    days_oracle = ((ip.until - ip.since).dt.total_seconds() / 86400).groupby(ip.key).sum()
    changes = sorted({t.to_pydatetime() for t in ev.since})
    lab.log(f"  {len(export['issues'])} issues, {len(ev)} status changes, exported {now}")
    with lab.shown():  # the recount against two cycle times worked out by hand (README)
        lab.check_close("pandas recount = hand count for RL-5 and RL-12 (reopened)",
                        [days_oracle["RL-5"], days_oracle["RL-12"]],
                        [(55 * 60 + 55) / 1440, (127 * 60 + 20) / 1440], rtol=0, atol=1 / 1440)

    lab.section("status timelines from the changelog")
    tls: dict = {}
    with lab.guard("status_timeline runs"):
        tls = {i["key"]: list(status_timeline(i)) for i in export["issues"]}
        want = {k: list(g.status) for k, g in ev.groupby("key")}
        lab.check_equal("statuses in time order = recount", {k: [s for _, s in v]
                        for k, v in tls.items()}, want,
                        hint="sort by time; a history can change the resolution and the status")
        lab.check_equal("times are the export's instants (UTC offsets kept, DST included)",
                        {k: [round(t.timestamp()) for t, _ in v] for k, v in tls.items()},
                        {k: [round(t.timestamp()) for t in g.since] for k, g in ev.groupby("key")},
                        hint="keep the +0100/+0200 offset: datetime.fromisoformat does")
    if not tls:
        return

    lab.section("Kanban: cycle time, WIP, throughput and Little's law")
    ct, wip = {}, []
    with lab.guard("cycle_times runs"):
        ct = {k: float(v) for k, v in cycle_times(tls).items()}
        lab.check_equal("cycle_times covers exactly the issues Done at export", sorted(ct),
                        done_keys, hint="a reopened issue that is open again has no cycle time")
        lab.check_close("cycle_times = recount (In Progress + In Review, every visit)",
                        [ct.get(k, np.nan) for k in done_keys],
                        [days_oracle.get(k, 0.0) for k in done_keys], rtol=1e-9,
                        hint="sum the visits; the time a reopened ticket sat in Done is not work")
    wip_oracle = [int(((ip.since <= t) & (t < ip.until)).sum()) for t in changes]
    with lab.guard("wip_at runs"):
        wip = [int(wip_at(tls, t)) for t in changes]
        lab.check_equal("wip_at = recount at every status change", wip, wip_oracle,
                        hint="a change at exactly t already counts (at or before t)")
    t0 = min(t.to_pydatetime() for t in ip.since)  # Little's law window [t0, t1]: the board
    t1 = max(t for t, w in zip(changes, wip_oracle, strict=True) if w == 0 and t > t0)  # empty
    if ct and wip:
        area = sum(w * (b - a).total_seconds() for a, b, w in
                   zip(changes, changes[1:], wip, strict=False) if t0 <= a < t1) / 86400
        inside = [k for k in ct if last.since[k] <= t1]
        span = (t1 - t0).total_seconds() / 86400
        L, lam, W = area / span, len(inside) / span, float(np.mean([ct[k] for k in inside]))
        lab.check_close(f"Little's law from {t0:%b %d} to {t1:%b %d} (empty board at both "
                        "ends): avg WIP = throughput x avg cycle time", L, lam * W, rtol=1e-9)
        full = (now - t0).total_seconds() / 86400  # the whole export cuts open tickets
        area_all = sum(w * ((b - a).total_seconds()) for a, b, w in
                       zip(changes, [*changes[1:], now], wip, strict=True) if a >= t0) / 86400
        lab.metric("avg_wip", L, "items")
        lab.metric("littles_law_gap_whole_export",
                   area_all / full - len(ct) / full * np.mean(list(ct.values())), "items")
        lab.metric("avg_cycle_time", W, "days")
        lab.metric(f"cycle_time_p{cfg.sle_percentile:g}",
                   float(np.percentile(list(ct.values()), cfg.sle_percentile)), "days")
    weeks = [dt.datetime(2024, m, d, tzinfo=CET if m == 3 else CEST)
             for m, d in ((3, 4), (3, 11), (3, 18), (3, 25), (4, 1), (4, 8))]
    done_at = [last.since[k] for k in done_keys]
    thr_oracle = [sum(w <= f < w + dt.timedelta(days=7) for f in done_at) for w in weeks]
    with lab.guard("weekly_throughput runs"):
        thr = [int(n) for n in weekly_throughput(tls, weeks)]
        lab.check_equal("weekly_throughput = recount (final Done, once per issue)", thr,
                        thr_oracle, hint="count each issue once, at its last move to Done")
        lab.table("weekly_throughput", ["week of", "finished (yours)", "finished (recount)"],
                  [[f"{w:%b %d}", a, b] for w, a, b in zip(weeks, thr, thr_oracle, strict=True)],
                  title="throughput per week")

    lab.section(f"Scrum: burndown of {cfg.sprint}")
    scope = sprint_scope(export, cfg.sprint)
    y, m, d, n = cfg.sprint_days
    times = [dt.datetime(y, m, d, 18, tzinfo=CET) + dt.timedelta(days=i) for i in range(n)]
    bd_oracle = [int(sum(scope[k][0] for k in ev.key[(ev.since <= t) & (t < ev.until) &
                                                     (ev.status != DONE)] if k in scope
                         and scope[k][1] <= t)) for t in times]
    bd = None
    with lab.guard("burndown runs"):
        bd = [float(v) for v in burndown(tls, scope, times)]
        lab.check_close("burndown = recount at 18:00 each day", bd, bd_oracle, rtol=0,
                        hint="use each issue's status at t: a reopened issue's points return")
    added = sum(p for p, a in scope.values() if a > times[0])
    velocity = bd_oracle[0] + added - bd_oracle[-1]
    lab.metric("sprint_completed_points", velocity, "pt")
    _plot(lab, times, bd, bd_oracle, ev, ct, last)
    lab.conclude(f"From {len(ev)} status changes your numbers matched the recount: average "
                 f"WIP {L:.2f} = {lam * 7:.2f} items/week x {W:.2f} days of cycle time (Little's"
                 f" law, exact between empty boards), and {cfg.sprint} burned {velocity} points"
                 " with a reopened ticket's points coming back." if ct and wip else
                 "Your numbers did not match the recount.")


def _plot(lab, times, bd, bd_oracle, ev, ct, last) -> None:
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(13, 3.6))
    a.plot(range(len(times)), bd_oracle, "o", color="black", label="recount")
    if bd is not None and len(bd) == len(times):
        a.plot(range(len(times)), bd, "-", label="burndown()")
    a.set(xlabel="sprint day (18:00)", ylabel="points to do", title="sprint burndown")
    a.legend()
    since, until = (ev[c].dt.tz_localize(None).to_numpy() for c in ("since", "until"))  # UTC
    grid = np.unique(since)
    stack = [[int(((since <= g) & (g < until) & ev.status.isin(s).to_numpy()).sum())
              for g in grid] for s in ([DONE], list(IN_PROGRESS), ["To Do"])]
    b.stackplot(grid, *stack, labels=["Done", "In progress/review", "To Do"], step="post",
                colors=["#2ca02c", "#ff7f0e", "#1f77b4"])
    b.set(ylabel="tickets", title="cumulative flow diagram (UTC)")
    b.legend(loc="upper left", fontsize=7)
    b.tick_params(axis="x", labelrotation=45, labelsize=7)
    keys = [k for k in ct if k in last.index]
    c.plot([last.since[k] for k in keys], [ct[k] for k in keys], "o")
    if keys:
        c.axhline(np.percentile([ct[k] for k in keys], 85), ls="--", color="grey", label="p85")
        c.legend()
    c.set(ylabel="cycle time (days)", title="control chart (done date vs cycle time)")
    c.tick_params(axis="x", labelrotation=45, labelsize=7)
    lab.savefig(fig, "agile_flow.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("agile-delivery", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
