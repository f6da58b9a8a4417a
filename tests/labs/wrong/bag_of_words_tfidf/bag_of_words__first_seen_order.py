"""Bug: the vocabulary in first-seen order, not sorted."""

import numpy as np


def bag_of_words(docs, vocab=None):
    if vocab is None:
        vocab = list(dict.fromkeys(t for doc in docs for t in doc))
    index = {t: j for j, t in enumerate(vocab)}
    counts = np.zeros((len(docs), len(vocab)), dtype=np.int64)
    for i, doc in enumerate(docs):
        for t in doc:
            j = index.get(t)
            if j is not None:
                counts[i, j] += 1
    return vocab, counts
