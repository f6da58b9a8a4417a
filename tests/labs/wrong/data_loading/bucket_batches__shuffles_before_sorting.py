"""Bug: shuffles the indices and cuts batches without sorting by length: random batches."""

import numpy as np


def bucket_batches(lengths, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(lengths))
    return [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]
