"""Bug: `cache.get(args) or fn(*args)` treats a cached 0 as a miss, so fib(0) is recomputed
on every request."""

import functools


def memoize(fn):
    cache = {}

    @functools.wraps(fn)
    def wrapper(*args):
        value = cache.get(args) or fn(*args)
        cache[args] = value
        return value

    return wrapper
