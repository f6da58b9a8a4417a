"""Bug: keys a band by its first value only, so pairs agreeing on one row of a
band already become candidates."""

from collections import defaultdict


def lsh_candidates(signatures, bands):
    n, p = signatures.shape
    rows = p // bands
    pairs = set()
    for band in range(bands):
        buckets = defaultdict(list)
        for i, key in enumerate(map(bytes, signatures[:, band * rows:band * rows + 1])):
            buckets[key].append(i)
        for ids in buckets.values():
            pairs.update((ids[x], ids[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
    return pairs
