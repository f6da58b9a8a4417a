"""Bug: looks for the first relevant chunk only among the first k, so MRR depends on k."""

import numpy as np


def recall_mrr(rankings, relevant, k):
    recall, rr = [], []
    for ranking, rel in zip(rankings, relevant, strict=True):
        recall.append(len(set(ranking[:k]) & rel) / len(rel))
        rr.append(next((1.0 / r for r, i in enumerate(ranking[:k], start=1) if i in rel), 0.0))
    return {"recall@k": float(np.mean(recall)), "mrr": float(np.mean(rr))}
