"""Bug: no floor at 0: after total steps the multiplier goes negative."""


def warmup_linear(step, warmup, total):
    if step < warmup:
        return step / max(1, warmup)
    return (total - step) / max(1, total - warmup)
