"""Bug: records each pair in both orders, (i, j) and (j, i)."""

from collections import defaultdict


def lsh_candidates(signatures, bands):
    n, p = signatures.shape
    rows = p // bands
    pairs = set()
    for band in range(bands):
        buckets = defaultdict(list)
        for i, key in enumerate(map(bytes, signatures[:, band * rows:(band + 1) * rows])):
            buckets[key].append(i)
        for ids in buckets.values():
            pairs.update((ids[x], ids[y]) for x in range(len(ids)) for y in range(len(ids))
                         if x != y)
    return pairs
