"""Another idiom: strptime with %z and operator.itemgetter, a state walk for cycle time,
bisect for "status at t", a Counter of ISO weeks for throughput."""

import bisect
import datetime as dt
from collections import Counter
from operator import itemgetter

FMT = "%Y-%m-%dT%H:%M:%S.%f%z"
WORKING = {"In Progress", "In Review"}


def status_timeline(issue):
    created = dt.datetime.strptime(issue["fields"]["created"], FMT)
    changes = [(dt.datetime.strptime(h["created"], FMT), item["toString"])
               for h in issue["changelog"]["histories"]
               for item in h["items"] if item["field"] == "status"]
    return [(created, "To Do")] + sorted(changes, key=itemgetter(0))


def cycle_times(timelines):
    result = {}
    for key, timeline in timelines.items():
        if timeline[-1][1] != "Done":
            continue
        total, entered = dt.timedelta(0), None
        for when, status in timeline:
            if entered is not None:
                total += when - entered
                entered = None
            if status in WORKING:
                entered = when
        result[key] = total / dt.timedelta(days=1)
    return result


def _status_at(timeline, t):
    i = bisect.bisect_right([when for when, _ in timeline], t)
    return timeline[i - 1][1] if i else None


def wip_at(timelines, t):
    return sum(_status_at(tl, t) in WORKING for tl in timelines.values())


def weekly_throughput(timelines, week_starts):
    week_of = Counter()
    for tl in timelines.values():
        if tl[-1][1] == "Done":
            for i, start in enumerate(week_starts):
                if dt.timedelta(0) <= tl[-1][0] - start < dt.timedelta(weeks=1):
                    week_of[i] += 1
    return [week_of[i] for i in range(len(week_starts))]


def burndown(timelines, scope, times):
    return [sum(points for key, (points, added) in scope.items()
                if added <= t and _status_at(timelines[key], t) != "Done") for t in times]
