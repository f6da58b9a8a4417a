"""Another idiom: Counter-based counting into a scipy.sparse matrix, idf through
np.log1p-free closed forms with sklearn's normalize-like row scaling, and ranking with
np.lexsort (score descending, then index ascending)."""

from collections import Counter

import numpy as np
from scipy import sparse


def bag_of_words(docs, vocab=None):
    if vocab is None:
        vocab = sorted(set().union(*map(set, docs))) if docs else []
    col = {t: j for j, t in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for i, doc in enumerate(docs):
        for t, c in Counter(t for t in doc if t in col).items():
            rows.append(i)
            cols.append(col[t])
            vals.append(c)
    m = sparse.coo_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)), dtype=np.int64)
    return list(vocab), m.toarray()


def tfidf(counts, fit_counts=None, smooth_idf=True, sublinear_tf=False, norm="l2"):
    ref = np.asarray(counts if fit_counts is None else fit_counts)
    n_docs = ref.shape[0] + int(smooth_idf)
    df = np.count_nonzero(ref, axis=0) + int(smooth_idf)
    idf = 1.0 + np.log(n_docs) - np.log(df)
    tf = np.array(counts, dtype=np.float64)
    if sublinear_tf:
        pos = tf > 0
        tf[pos] = np.log(tf[pos]) + 1.0
    x = tf * idf[None, :]
    if norm == "l2":
        length = np.linalg.norm(x, axis=1)
    elif norm == "l1":
        length = np.linalg.norm(x, ord=1, axis=1)
    else:
        return x
    length[length == 0] = 1.0
    return x / length[:, None]


def search(queries, docs, k):
    def unit(m):
        m = np.asarray(m, dtype=np.float64)
        n = np.sqrt(np.einsum("ij,ij->i", m, m))
        return m / np.where(n == 0, 1.0, n)[:, None]

    sims = unit(queries) @ unit(docs).T
    order = np.empty((sims.shape[0], k), dtype=np.int64)
    for q, row in enumerate(sims):
        order[q] = np.lexsort((np.arange(row.size), -row))[:k]
    return order, np.take_along_axis(sims, order, axis=1)
