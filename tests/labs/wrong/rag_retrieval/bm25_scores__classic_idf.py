"""Bug: uses the classic Robertson idf ln((N - df + 0.5) / (df + 0.5)) without the 1 +,
which goes negative for common words."""

import math

import numpy as np


def bm25_scores(query, docs, k1=1.2, b=0.75):
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    scores = np.zeros(n)
    for t in query:
        df = sum(t in d for d in docs)
        if df == 0:
            continue
        idf = math.log((n - df + 0.5) / (df + 0.5))
        for i, d in enumerate(docs):
            tf = d.count(t)
            scores[i] += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
    return scores
