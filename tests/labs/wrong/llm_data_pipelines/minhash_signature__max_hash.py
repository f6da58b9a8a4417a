"""Bug: the maximum hash instead of the minimum (also a valid sketch, but not the
signature the docstring defines)."""

import numpy as np


def minhash_signature(shingles, a, b, prime):
    return ((np.outer(shingles, a) + b) % prime).max(axis=0)
