"""Another idiom: MinHash one hash function at a time, LSH buckets keyed
by (band, tuple) in one dict with itertools.combinations, and packing with numpy
concatenate / repeat / cumulative sums instead of Python lists."""

import itertools

import numpy as np


def minhash_signature(shingles, a, b, prime):
    x = np.asarray(shingles, dtype=np.uint64)
    sig = np.empty(len(a), dtype=np.uint64)
    for i in range(len(a)):  # one hash function at a time
        sig[i] = np.min((a[i] * x + b[i]) % np.uint64(prime))
    return sig


def lsh_candidates(signatures, bands):
    rows = signatures.shape[1] // bands
    buckets = {}
    for doc, sig in enumerate(signatures.tolist()):
        for band in range(bands):
            key = (band, tuple(sig[band * rows:(band + 1) * rows]))
            buckets.setdefault(key, []).append(doc)
    out = set()
    for docs in buckets.values():
        out.update(itertools.combinations(sorted(docs), 2))
    return out


def pack_sequences(docs, block, eos, pad):
    lengths = np.array([len(d) + 1 for d in docs])
    stream = np.concatenate([np.append(np.asarray(d, dtype=np.int64), eos) for d in docs])
    doc_ids = np.repeat(np.arange(len(docs)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    positions = np.arange(stream.size) - starts
    n_blocks = int(np.ceil(stream.size / block))
    total = n_blocks * block

    def fit(x, fill):
        out = np.full(total, fill, dtype=np.int64)
        out[: x.size] = x
        return out.reshape(n_blocks, block)

    return fit(stream, pad), fit(doc_ids, -1), fit(positions, 0)
