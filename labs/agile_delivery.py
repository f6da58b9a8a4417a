"""Agile delivery in numbers: Scrum velocity and burndown, Kanban cycle time, WIP and flow.

Scrum plans work in fixed sprints: the team commits story points at sprint planning, tracks
the points still open on a *burndown chart* at each daily stand-up, and uses its *velocity*
(points completed per sprint, averaged over recent sprints) to forecast. Kanban has no
sprints: tickets flow across a board (To do -> In progress -> Done, as in Jira or Trello),
work in progress (WIP) is limited, and flow is measured by *cycle time* (start to done),
*throughput* (items finished per day) and average WIP. These three are tied by Little's law,
``L = lambda * W`` (average WIP = throughput x average cycle time), which holds exactly over
any window that starts and ends with an empty board. The numbers are a shared language for
a multidisciplinary team (researchers, engineers, product) to talk about delivery.

The lab reads a small board and a sprint (``labs/data/agile_delivery/``). The learner writes
``burndown`` (checked against the hand count shipped with the data and a pandas recount),
``cycle_times`` (vs pandas date arithmetic) and ``wip_per_day`` (vs an event sweep: +1 at
each start, -1 at each finish, cumulative sum); Little's law is then checked on the board,
and the velocity forecast is computed.

$ python labs/agile_delivery.py --quick
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("burndown", "cycle_times", "wip_per_day")
DATA = Path(__file__).resolve().parent / "data" / "agile_delivery"


@dataclass
class Config:
    sprint_days: int = 10  # working days in the sprint (two weeks)
    velocity_window: int = 3  # sprints averaged for the velocity forecast
    backlog_points: int = 120  # remaining product backlog to forecast
    wip_limit: int = 4  # the Kanban board's WIP limit for "In progress"
    sle_percentile: float = 85.0  # service-level expectation: 85% of items finish within


# ----------------------------------------------------------------- exercises
def burndown(stories: list[dict], days: int) -> list[int]:
    """Points still open at the end of each day ``0..days`` of a sprint.

    Each story has ``points``, ``added_day`` (0 = committed at planning) and ``done_day``
    (``None`` = not finished). A story counts from its ``added_day`` on and stops counting
    on its ``done_day``.
    """
    out = []
    for d in range(days + 1):
        out.append(sum(s["points"] for s in stories if s["added_day"] <= d
                       and (s["done_day"] is None or s["done_day"] > d)))
    return out


def cycle_times(tickets: list[dict]) -> list[int]:
    """Cycle time of each ticket in days: ``done - started`` (dates are ``datetime.date``)."""
    return [(t["done"] - t["started"]).days for t in tickets]


def wip_per_day(tickets: list[dict], first: dt.date, last: dt.date) -> list[int]:
    """Tickets in progress on each day from ``first`` up to (not including) ``last``.

    A ticket is in progress on day ``d`` when ``started <= d < done``.
    """
    n = (last - first).days
    days = [first + dt.timedelta(days=i) for i in range(n)]
    return [sum(t["started"] <= d < t["done"] for t in tickets) for d in days]


# --------------------------------------------------------------------- data
def _rows(name: str) -> list[dict]:
    with open(DATA / name, newline="") as f:
        return list(csv.DictReader(f))


def load_board() -> list[dict]:
    iso = dt.date.fromisoformat
    return [{**r, "points": int(r["points"]), "created": iso(r["created"]),
             "started": iso(r["started"]), "done": iso(r["done"])} for r in _rows("board.csv")]


def load_sprint() -> list[dict]:
    return [{**r, "points": int(r["points"]), "added_day": int(r["added_day"]),
             "done_day": int(r["done_day"]) if r["done_day"] else None}
            for r in _rows("sprint.csv")]


# --------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    import pandas as pd

    cfg = Config()
    stories, board = load_sprint(), load_board()
    hand = [int(r["remaining"]) for r in _rows("burndown_hand.csv")]
    lab.log(f"  {len(stories)} sprint stories, {len(board)} board tickets from {DATA}")

    lab.section("Scrum: burndown and velocity")
    sp = pd.read_csv(DATA / "sprint.csv")  # independent recount with pandas
    oracle = [int(sp.loc[(sp.added_day <= d) & ~(sp.done_day <= d), "points"].sum())
              for d in range(cfg.sprint_days + 1)]
    lab.check_equal("pandas recount = hand count (data sanity)", oracle, hand)
    bd = None
    with lab.guard("burndown runs"):
        bd = burndown(stories, cfg.sprint_days)
        lab.check_equal("burndown = hand count from the stand-ups", list(bd), hand)
    completed = int(sp.loc[sp.done_day.notna(), "points"].sum())
    past = pd.read_csv(DATA / "sprints.csv")
    history = [*past.completed.tolist(), completed]
    velocity = float(np.mean(history[-cfg.velocity_window:]))
    lab.metric("sprint_completed_points", completed, "pt")
    lab.metric("velocity", velocity, "pt/sprint")
    lab.metric("forecast_sprints_for_backlog", math.ceil(cfg.backlog_points / velocity), "sprints")
    if bd is not None and len(bd) == cfg.sprint_days + 1:
        added = int(sp.loc[sp.added_day > 0, "points"].sum())
        lab.check_equal("burndown: start + scope added - end = completed points",
                        bd[0] + added - bd[-1], completed)

    lab.section("Kanban: cycle time, WIP and Little's law")
    bf = pd.read_csv(DATA / "board.csv", parse_dates=["created", "started", "done"])
    ct_oracle = (bf.done - bf.started).dt.days.tolist()
    first, last = min(t["started"] for t in board), max(t["done"] for t in board)
    n_days = (last - first).days
    delta = np.zeros(n_days + 1, dtype=int)  # event sweep: +1 at start, -1 at done
    for t in board:
        delta[(t["started"] - first).days] += 1
        delta[(t["done"] - first).days] -= 1
    wip_oracle = np.cumsum(delta)[:n_days].tolist()
    ct = wip = None
    with lab.guard("cycle_times runs"):
        ct = [int(c) for c in cycle_times(board)]
        lab.check_equal("cycle_times = pandas (done - started).days", ct, ct_oracle)
    with lab.guard("wip_per_day runs"):
        wip = [int(w) for w in wip_per_day(board, first, last)]
        lab.check_equal("wip_per_day = event sweep (cumsum of +1 start / -1 done)",
                        wip, wip_oracle)
        lab.check_le(f"WIP limit {cfg.wip_limit} respected on every day", max(wip),
                     cfg.wip_limit)
    if ct is not None and wip is not None:
        L = float(np.mean(wip))  # average WIP over the window
        lam = len(board) / n_days  # throughput, items per day
        W = float(np.mean(ct))  # average cycle time, days
        lab.check_close("Little's law: avg WIP = throughput x avg cycle time", L, lam * W,
                        rtol=1e-12)
        lab.metric("avg_wip", L, "items")
        h = n_days // 2  # a window cut mid-flow: the law is only approximate there
        done_h = [c for t, c in zip(board, ct, strict=True) if (t["done"] - first).days <= h]
        lab.metric("littles_law_gap_half_window",
                   abs(np.mean(wip[:h]) - len(done_h) / h * np.mean(done_h)), "items")
        lab.metric("throughput", lam * 7, "items/week")
        lab.metric("avg_cycle_time", W, "days")
        lab.metric(f"cycle_time_p{cfg.sle_percentile:g}",
                   float(np.percentile(ct, cfg.sle_percentile)), "days")
    lead = (bf.done - bf.created).dt.days
    lab.metric("avg_lead_time", float(lead.mean()), "days")
    _plot(lab, cfg, bd, hand, board, first, n_days)


def _plot(lab, cfg, bd, hand, board, first, n_days) -> None:
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    days = range(cfg.sprint_days + 1)
    a.plot(days, np.linspace(hand[0], 0, len(hand)), "--", color="grey", label="ideal")
    a.plot(days, hand, "o", color="black", label="hand count")
    if bd is not None and len(bd) == len(hand):
        a.plot(days, bd, "-", label="burndown()")
    a.set(xlabel="sprint day", ylabel="points remaining", title="sprint burndown")
    a.legend()
    dates = [first + dt.timedelta(days=i) for i in range(n_days + 1)]
    done = [sum(t["done"] <= d for t in board) for d in dates]
    prog = [sum(t["started"] <= d < t["done"] for t in board) for d in dates]
    todo = [sum(t["created"] <= d < t["started"] for t in board) for d in dates]
    b.stackplot(range(n_days + 1), done, prog, todo, labels=["Done", "In progress", "To do"],
                colors=["#2ca02c", "#ff7f0e", "#1f77b4"])
    b.set(xlabel=f"day since {first}", ylabel="tickets", title="cumulative flow diagram")
    b.legend(loc="upper left")
    lab.savefig(fig, "burndown_cfd.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("agile-delivery", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
