"""Bug: warms up with (step + 1) / warmup, so the first step already has a
nonzero rate and the peak comes a step early."""


def warmup_linear(step, warmup, total):
    if step < warmup:
        return (step + 1) / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))
