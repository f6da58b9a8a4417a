"""Bug: adds unseen tokens of the new documents to the given vocabulary."""

import numpy as np


def bag_of_words(docs, vocab=None):
    vocab = sorted(set(vocab or []) | {t for doc in docs for t in doc})
    index = {t: j for j, t in enumerate(vocab)}
    counts = np.zeros((len(docs), len(vocab)), dtype=np.int64)
    for i, doc in enumerate(docs):
        for t in doc:
            j = index.get(t)
            if j is not None:
                counts[i, j] += 1
    return vocab, counts
