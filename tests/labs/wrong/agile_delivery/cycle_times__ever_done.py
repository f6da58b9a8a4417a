"""Bug: gives a cycle time to every issue that was ever Done, including one reopened and
still open on export day."""

from itertools import pairwise

IN_PROGRESS = ("In Progress", "In Review")


def cycle_times(timelines):
    out = {}
    for key, tl in timelines.items():
        if any(s == "Done" for _, s in tl):
            out[key] = sum((b - a).total_seconds() for (a, s), (b, _) in pairwise(tl)
                           if s in IN_PROGRESS) / 86400
    return out
