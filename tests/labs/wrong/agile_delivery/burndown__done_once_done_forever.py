"""Bug: an issue that has been Done by t counts as done, even if it was reopened since, so
a reopened ticket's points never come back."""


def burndown(timelines, scope, times):
    out = []
    for t in times:
        left = 0
        for key, (points, added) in scope.items():
            done = any(s == "Done" and when <= t for when, s in timelines[key])
            if added <= t and not done:
                left += points
        out.append(left)
    return out
