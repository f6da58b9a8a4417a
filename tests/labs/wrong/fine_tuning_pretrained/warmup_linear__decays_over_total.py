"""Bug: the decay divides by total instead of total - warmup, so the rate drops
below 1 right after the warm-up."""


def warmup_linear(step, warmup, total):
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total))
