"""Bug: an issue is in progress from its first start to its final Done, so a reopened
ticket also counts while it sat in Done."""

IN_PROGRESS = ("In Progress", "In Review")


def wip_at(timelines, t):
    n = 0
    for tl in timelines.values():
        starts = [when for when, s in tl if s in IN_PROGRESS]
        if not starts or starts[0] > t:
            continue
        done = tl[-1][0] if tl[-1][1] == "Done" else None
        if done is None or t < done:
            n += 1
    return n
