"""Bug: counts elements moved and forgets to multiply by the itemsize."""


def flops_and_bytes(op, shape, itemsize):
    if op == "copy":
        (n,) = shape
        return 0, 2 * n
    if op == "add":
        (n,) = shape
        return n, 3 * n
    if op == "matvec":
        m, k = shape
        return 2 * m * k, m * k + k + m
    m, k, n = shape
    return 2 * m * k * n, m * k + k * n + m * n
