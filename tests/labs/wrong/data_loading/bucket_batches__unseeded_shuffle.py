"""Bug: shuffles the batch order with the global random generator, ignoring the seed, so the
same seed gives a different order on every call."""

import random

import numpy as np


def bucket_batches(lengths, batch_size, seed):
    order = np.argsort(lengths, kind="stable")
    batches = [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]
    random.shuffle(batches)
    return batches
