"""Another idiom: the merge of the Python 2.3 MRO essay (candidate loop over non-empty
sequences), a registry object whose bound methods serve as the two functions, and
functools.cache."""

import functools


def _merge(seqs, name):
    res = []
    while True:
        nonempty = [s for s in seqs if s]
        if not nonempty:
            return res
        for seq in nonempty:  # find a candidate among the heads
            cand = seq[0]
            if not [s for s in nonempty if cand in s[1:]]:
                break
        else:
            raise TypeError(f"Inconsistent hierarchy for {name}")
        res.append(cand)
        for seq in nonempty:  # remove the candidate
            if seq[0] == cand:
                del seq[0]


def c3_linearize(bases, name):
    parents = bases[name]
    return [name] + _merge([c3_linearize(bases, p) for p in parents] + [list(parents)], name)


class _Registry:
    def __init__(self):
        self._by_name = {}

    def register(self, name):
        if name in self._by_name:
            raise ValueError(f"name {name} is taken by {self._by_name[name]}")

        def decorator(cls):
            if name in self._by_name:
                raise ValueError(f"name {name} is taken by {self._by_name[name]}")
            self._by_name[name] = cls
            return cls
        return decorator

    def create(self, config):
        kwargs = dict(config)
        name = kwargs.pop("name")
        try:
            cls = self._by_name[name]
        except KeyError:
            raise KeyError(f"{name}: choose one of {sorted(self._by_name)}") from None
        return cls(**kwargs)


def make_registry():
    reg = _Registry()
    return reg.register, reg.create


def memoize(fn):
    return functools.cache(fn)
