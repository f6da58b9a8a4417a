"""A deliberately wrong solution: one hash function reused for the whole signature (a
bottom-k sketch compared position by position), bands sliced along the wrong axis
(documents instead of signature columns), and packing that drops the last partial block
(a common real-world bug)."""

from collections import defaultdict

import numpy as np


def minhash_signature(shingles, a, b, prime):
    h = np.sort((shingles * a[0] + b[0]) % prime)  # one hash, not len(a) of them
    return np.resize(h, len(a))


def lsh_candidates(signatures, bands):
    n, p = signatures.shape
    rows = p // bands
    pairs = set()
    for band in range(bands):
        buckets = defaultdict(list)
        band_rows = signatures[band * rows:(band + 1) * rows]  # sliced documents, not columns
        for i, key in enumerate(map(bytes, band_rows)):
            buckets[key].append(i)
        for ids in buckets.values():
            pairs.update((ids[x], ids[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
    return pairs


def pack_sequences(docs, block, eos, pad):
    toks = [t for d in docs for t in (*d, eos)]
    ids = [i for i, d in enumerate(docs) for _ in range(len(d) + 1)]
    pos = [k for d in docs for k in range(len(d) + 1)]
    n = len(toks) // block  # drops the tail
    return tuple(np.array(x[: n * block]).reshape(n, block) for x in (toks, ids, pos))
