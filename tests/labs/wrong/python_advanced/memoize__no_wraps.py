"""Bug: no functools.wraps, so the wrapper hides the function's name and docstring."""


def memoize(fn):
    cache = {}

    def wrapper(*args):
        if args not in cache:
            cache[args] = fn(*args)
        return cache[args]

    return wrapper
