"""A deliberately wrong solution: unsorted vocabulary, unsmoothed idf without the +1,
and ranking by raw dot product (long documents win) instead of cosine."""

import numpy as np


def bag_of_words(docs, vocab=None):
    if vocab is None:
        vocab = list(dict.fromkeys(t for doc in docs for t in doc))  # first-seen order
    index = {t: j for j, t in enumerate(vocab)}
    counts = np.zeros((len(docs), len(vocab)), dtype=np.int64)
    for i, doc in enumerate(docs):
        for t in doc:
            if t in index:
                counts[i, index[t]] += 1
    return vocab, counts


def tfidf(counts, fit_counts=None, smooth_idf=True, sublinear_tf=False, norm="l2"):
    fit = counts if fit_counts is None else fit_counts
    df = (fit > 0).sum(axis=0)
    idf = np.log(fit.shape[0] / np.maximum(df, 1))  # textbook idf: no smoothing, no +1
    tf = np.log1p(counts) if sublinear_tf else counts.astype(float)
    w = tf * idf
    if norm == "l2":
        w = w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)
    elif norm == "l1":
        w = w / np.maximum(np.abs(w).sum(axis=1, keepdims=True), 1e-12)
    return w


def search(queries, docs, k):
    sims = queries @ docs.T  # not normalised by the document's length
    idx = np.argsort(-sims, axis=1)[:, :k]
    return idx, np.take_along_axis(sims, idx, axis=1)
