"""Bug: counts only the "In Progress" column as work in progress, not "In Review"."""


def wip_at(timelines, t):
    n = 0
    for tl in timelines.values():
        seen = [s for when, s in tl if when <= t]
        if seen and seen[-1] == "In Progress":
            n += 1
    return n
