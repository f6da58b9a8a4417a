"""Bug: the minimum over the hash functions (axis 1), one value per shingle,
cut to the signature length."""

import numpy as np


def minhash_signature(shingles, a, b, prime):
    h = ((np.outer(shingles, a) + b) % prime).min(axis=1)
    return np.resize(h, len(a))
