"""Bug: measures a document's length in distinct tokens instead of tokens."""

import math

import numpy as np


def bm25_scores(query, docs, k1=1.2, b=0.75):
    n = len(docs)
    lengths = [len(set(d)) for d in docs]
    avgdl = sum(lengths) / n
    scores = np.zeros(n)
    for t in query:
        df = sum(t in d for d in docs)
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, d in enumerate(docs):
            tf = d.count(t)
            scores[i] += idf * tf / (tf + k1 * (1 - b + b * lengths[i] / avgdl))
    return scores
