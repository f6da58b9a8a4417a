"""Bug: records presence (1) instead of the number of occurrences."""

import numpy as np


def bag_of_words(docs, vocab=None):
    if vocab is None:
        vocab = sorted({t for doc in docs for t in doc})
    index = {t: j for j, t in enumerate(vocab)}
    counts = np.zeros((len(docs), len(vocab)), dtype=np.int64)
    for i, doc in enumerate(docs):
        for t in doc:
            j = index.get(t)
            if j is not None:
                counts[i, j] = 1
    return vocab, counts
