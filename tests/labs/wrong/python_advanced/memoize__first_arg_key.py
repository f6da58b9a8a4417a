"""Bug: the cache key is the first argument only, so comb(n, k) returns comb(n, 0)."""

import functools


def memoize(fn):
    cache = {}

    @functools.wraps(fn)
    def wrapper(*args):
        if args[0] not in cache:
            cache[args[0]] = fn(*args)
        return cache[args[0]]

    return wrapper
