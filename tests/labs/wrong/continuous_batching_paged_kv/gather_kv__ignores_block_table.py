"""Bug: treats the cache as contiguous from physical block 0, ignoring the block table."""

import math


def gather_kv(pool, block_table, length):
    n = math.ceil(length / pool.shape[1])
    return pool[:n].reshape(-1, *pool.shape[2:])[:length]
