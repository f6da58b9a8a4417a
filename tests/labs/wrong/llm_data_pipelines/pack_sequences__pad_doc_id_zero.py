"""Bug: padding gets document id 0 instead of -1 (it looks like part of document 0)."""

import numpy as np


def pack_sequences(docs, block, eos, pad):
    toks = [t for d in docs for t in (*d, eos)]
    ids = [i for i, d in enumerate(docs) for _ in range(len(d) + 1)]
    pos = [k for d in docs for k in range(len(d) + 1)]
    n = -(-len(toks) // block)
    extra = n * block - len(toks)
    out = [np.array(x + [fill] * extra).reshape(n, block)
           for x, fill in ((toks, pad), (ids, 0), (pos, 0))]
    return tuple(out)
