"""Bug: one hash function reused: the k smallest values of h_0 (a bottom-k
sketch) compared position by position as if they were k MinHashes."""

import numpy as np


def minhash_signature(shingles, a, b, prime):
    h = np.sort((shingles * a[0] + b[0]) % prime)
    return np.resize(h, len(a))
