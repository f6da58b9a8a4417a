"""Bug: counts scope added mid-sprint from day 0, as if it had been planned."""


def burndown(timelines, scope, times):
    out = []
    for t in times:
        left = 0
        for key, (points, _added) in scope.items():
            seen = [s for when, s in timelines[key] if when <= t]
            if not seen or seen[-1] != "Done":
                left += points
        out.append(left)
    return out
