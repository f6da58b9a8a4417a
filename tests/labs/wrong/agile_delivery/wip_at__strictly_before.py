"""Bug: takes the last change strictly before t (`when < t`), so a change at exactly t is
not yet counted."""

IN_PROGRESS = ("In Progress", "In Review")


def wip_at(timelines, t):
    n = 0
    for tl in timelines.values():
        seen = [s for when, s in tl if when < t]
        if seen and seen[-1] in IN_PROGRESS:
            n += 1
    return n
