"""Bug: uses each issue's status now (at export) instead of its status at time t, so
everything finished later already looks done on day 0."""


def burndown(timelines, scope, times):
    return [sum(points for key, (points, added) in scope.items()
                if added <= t and timelines[key][-1][1] != "Done") for t in times]
