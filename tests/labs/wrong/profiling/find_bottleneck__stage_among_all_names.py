"""Bug: the slowest "stage" is looked for among all entries, so a big operator or a whole
profiler step wins."""


def find_bottleneck(stats):
    rest = {k: v for k, v in stats.items() if not k.startswith("stage::")}
    return (max(stats, key=lambda k: stats[k]["total_us"]),
            max(rest, key=lambda k: rest[k]["self_us"]))
