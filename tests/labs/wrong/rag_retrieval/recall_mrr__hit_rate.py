"""Bug: counts a question as fully recalled when any relevant chunk is in the top k."""

import numpy as np


def recall_mrr(rankings, relevant, k):
    recall, rr = [], []
    for ranking, rel in zip(rankings, relevant, strict=True):
        recall.append(float(bool(set(ranking[:k]) & rel)))
        rr.append(next((1.0 / r for r, i in enumerate(ranking, start=1) if i in rel), 0.0))
    return {"recall@k": float(np.mean(recall)), "mrr": float(np.mean(rr))}
