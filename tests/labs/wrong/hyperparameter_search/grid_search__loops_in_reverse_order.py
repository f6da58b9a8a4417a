"""Bug: nested loops with the last name outermost, so the trials come in the wrong order."""


def grid_search(objective, axes):
    (n1, v1), (n2, v2) = axes.items()
    trials = []
    for b in v2:
        for a in v1:
            params = {n1: float(a), n2: float(b)}
            trials.append((params, objective(params)))
    best_params, best_value = min(trials, key=lambda t: t[1])
    return best_params, best_value, trials
