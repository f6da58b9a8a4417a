"""Bug: loops over range(rows) instead of range(bands): only the first 4 of 32 bands
are ever compared."""

from collections import defaultdict


def lsh_candidates(signatures, bands):
    n, p = signatures.shape
    rows = p // bands
    pairs = set()
    for band in range(rows):
        buckets = defaultdict(list)
        for i, key in enumerate(map(bytes, signatures[:, band * rows:(band + 1) * rows])):
            buckets[key].append(i)
        for ids in buckets.values():
            pairs.update((ids[x], ids[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
    return pairs
