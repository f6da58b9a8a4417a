"""Bug: the last, partial batch is dropped (drop_last), so its sequences are lost."""

import numpy as np


def bucket_batches(lengths, batch_size, seed):
    order = np.argsort(lengths, kind="stable")
    full = len(order) // batch_size * batch_size
    batches = [order[i:i + batch_size].tolist() for i in range(0, full, batch_size)]
    perm = np.random.default_rng(seed).permutation(len(batches))
    return [batches[i] for i in perm]
