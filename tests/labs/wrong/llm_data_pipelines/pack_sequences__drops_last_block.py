"""Bug: drops the last, partial block (a common real-world shortcut) and its tokens."""

import numpy as np


def pack_sequences(docs, block, eos, pad):
    toks = [t for d in docs for t in (*d, eos)]
    ids = [i for i, d in enumerate(docs) for _ in range(len(d) + 1)]
    pos = [k for d in docs for k in range(len(d) + 1)]
    n = len(toks) // block
    toks, ids, pos = toks[: n * block], ids[: n * block], pos[: n * block]
    extra = 0
    out = [np.array(x + [fill] * extra).reshape(n, block)
           for x, fill in ((toks, pad), (ids, -1), (pos, 0))]
    return tuple(out)
