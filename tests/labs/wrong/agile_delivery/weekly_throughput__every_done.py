"""Bug: counts every move to Done, so a reopened ticket is counted twice (and one that is
open again still counts)."""

import datetime as dt


def weekly_throughput(timelines, week_starts):
    moves = [t for tl in timelines.values() for t, s in tl if s == "Done"]
    week = dt.timedelta(days=7)
    return [sum(start <= m < start + week for m in moves) for start in week_starts]
