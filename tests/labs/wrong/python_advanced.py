"""A deliberately wrong solution: compose applies left to right, the cache key drops all
but the first argument, and the loop stops only when *all* callbacks ask to stop."""

import functools


def compose(*fns):
    return functools.reduce(lambda f, g: lambda x: g(f(x)), fns, lambda x: x)  # wrong order


def memoize(fn):
    cache = {}

    @functools.wraps(fn)
    def wrapper(*args):
        if args[0] not in cache:  # key ignores the other arguments
            cache[args[0]] = fn(*args)
        return cache[args[0]]

    return wrapper


def train_loop(step_fn, n_steps, callbacks):
    history = []
    for step in range(n_steps):
        loss = step_fn(step)
        history.append(loss)
        for cb in callbacks:
            cb.on_step(step, loss)
        if all(cb.should_stop for cb in callbacks):  # should be any()
            break
    for cb in callbacks:
        cb.on_end(history)
    return history
