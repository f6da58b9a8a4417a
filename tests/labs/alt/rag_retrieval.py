"""Another idiom: numpy term-frequency matrices for BM25 (the style of the Okapi BM25
tutorials), Counter/defaultdict bookkeeping, index arithmetic for the chunk windows."""

from collections import Counter, defaultdict

import numpy as np


def chunk_words(text, size, overlap):
    words = text.split()
    step = size - overlap
    n_chunks = 1 if len(words) <= size else 1 + -(-(len(words) - size) // step)
    return [" ".join(words[j * step : j * step + size]) for j in range(n_chunks)]


def bm25_scores(query, docs, k1=1.2, b=0.75):
    vocab = sorted({t for d in docs for t in d})
    col = {t: j for j, t in enumerate(vocab)}
    tf = np.zeros((len(docs), len(vocab)), dtype=np.float32)
    for i, d in enumerate(docs):
        for t, c in Counter(d).items():
            tf[i, col[t]] = c
    dl = tf.sum(1, keepdims=True)
    df = (tf > 0).sum(0)
    idf = np.log1p((len(docs) - df + 0.5) / (df + 0.5))
    weights = idf * tf / (tf + k1 * (1 - b + b * dl / dl.mean()))
    qcounts = np.zeros(len(vocab), dtype=np.float32)
    for t in query:
        if t in col:
            qcounts[col[t]] += 1
    return weights @ qcounts


def rrf(rankings, k=60):
    score = defaultdict(float)
    for ranking in rankings:
        for pos, doc in enumerate(ranking):
            score[doc] += 1 / (k + pos + 1)
    ids = sorted(score, key=lambda d: (-score[d], d))
    return [(d, score[d]) for d in ids]


def recall_mrr(rankings, relevant, k):
    recalls, rranks = [], []
    for ranking, rel in zip(rankings, relevant, strict=True):
        recalls.append(sum(doc in rel for doc in ranking[:k]) / len(rel))
        hits = [pos for pos, doc in enumerate(ranking) if doc in rel]
        rranks.append(1 / (hits[0] + 1) if hits else 0.0)
    return {"recall@k": float(np.mean(recalls)), "mrr": float(np.mean(rranks))}
