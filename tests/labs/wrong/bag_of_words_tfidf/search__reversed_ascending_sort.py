"""Bug: sorts ascending and reverses, which puts tied documents in
descending index order."""

import numpy as np


def search(queries, docs, k):
    qn = np.linalg.norm(queries, axis=1, keepdims=True)
    dn = np.linalg.norm(docs, axis=1, keepdims=True)
    sims = (queries / np.where(qn > 0, qn, 1)) @ (docs / np.where(dn > 0, dn, 1)).T
    idx = np.argsort(sims, axis=1, kind="stable")[:, ::-1][:, :k]
    return idx, np.take_along_axis(sims, idx, axis=1)
