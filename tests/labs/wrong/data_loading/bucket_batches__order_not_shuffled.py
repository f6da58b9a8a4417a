"""Bug: the batches stay in length order (short ones first): nothing is shuffled."""

import numpy as np


def bucket_batches(lengths, batch_size, seed):
    order = np.argsort(lengths, kind="stable")
    return [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]
