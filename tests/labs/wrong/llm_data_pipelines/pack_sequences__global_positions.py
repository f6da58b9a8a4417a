"""Bug: positions count through the whole stream instead of restarting per document."""

import numpy as np


def pack_sequences(docs, block, eos, pad):
    toks = [t for d in docs for t in (*d, eos)]
    ids = [i for i, d in enumerate(docs) for _ in range(len(d) + 1)]
    pos = list(range(len(toks)))
    n = -(-len(toks) // block)
    extra = n * block - len(toks)
    out = [np.array(x + [fill] * extra).reshape(n, block)
           for x, fill in ((toks, pad), (ids, -1), (pos, 0))]
    return tuple(out)
