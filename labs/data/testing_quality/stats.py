"""Small statistics helpers used by a data pipeline (the code under test)."""


def mean(xs):
    if len(xs) == 0:
        raise ValueError("mean of empty data")
    return sum(xs) / len(xs)


def median(xs):
    if len(xs) == 0:
        raise ValueError("median of empty data")
    s = sorted(xs)
    mid = len(s) // 2
    if len(s) % 2 == 1:
        return s[mid]
    return (s[mid - 1] + s[mid]) / 2


def moving_average(xs, k):
    if k < 1 or k > len(xs):
        raise ValueError("window must be in 1..len(xs)")
    window = sum(xs[:k])
    out = [window / k]
    for i in range(k, len(xs)):
        window = window + xs[i] - xs[i - k]
        out.append(window / k)
    return out


def clip(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x
