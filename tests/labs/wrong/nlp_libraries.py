"""A deliberately wrong solution: no length bounds (keeps "a", "i"), and a smoothed idf
log2((N + 1) / (df + 1)) as in other libraries, instead of Gensim's log2(N / df)."""

import math


def normalize_tokens(tokens, min_len=2, max_len=15):
    return [t.lower() for t in tokens if t.isalpha()]  # forgot min_len <= len <= max_len


def tfidf_weights(bow_corpus):
    n = len(bow_corpus)
    df = {}
    for doc in bow_corpus:
        for tid, _ in doc:
            df[tid] = df.get(tid, 0) + 1
    out = []
    for doc in bow_corpus:
        w = {tid: tf * math.log2((n + 1) / (df[tid] + 1)) for tid, tf in doc}
        w = {tid: v for tid, v in w.items() if v != 0.0}
        norm = math.sqrt(sum(v * v for v in w.values()))
        out.append({tid: v / norm for tid, v in w.items()} if norm > 0 else {})
    return out
