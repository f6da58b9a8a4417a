"""Bug: one bucket per distinct length, cut into batches: many short, partly empty batches."""

from collections import defaultdict

import numpy as np


def bucket_batches(lengths, batch_size, seed):
    groups = defaultdict(list)
    for i, n in enumerate(lengths):
        groups[n].append(i)
    batches = [g[i:i + batch_size] for g in groups.values() for i in range(0, len(g), batch_size)]
    perm = np.random.default_rng(seed).permutation(len(batches))
    return [batches[i] for i in perm]
