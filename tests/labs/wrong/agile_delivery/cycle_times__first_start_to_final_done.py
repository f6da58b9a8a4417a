"""Bug: cycle time from the first start to the final Done, so the days a reopened ticket
sat in Done (and any time back in To Do) count as work."""

IN_PROGRESS = ("In Progress", "In Review")


def cycle_times(timelines):
    out = {}
    for key, tl in timelines.items():
        if tl[-1][1] == "Done":
            start = next(t for t, s in tl if s in IN_PROGRESS)
            out[key] = (tl[-1][0] - start).total_seconds() / 86400
    return out
