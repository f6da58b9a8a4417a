"""Bug: a multiply-add is counted as one floating-point operation, not two."""


def flops_and_bytes(op, shape, itemsize):
    if op == "copy":
        (n,) = shape
        return 0, 2 * n * itemsize
    if op == "add":
        (n,) = shape
        return n, 3 * n * itemsize
    if op == "matvec":
        m, k = shape
        return m * k, (m * k + k + m) * itemsize
    m, k, n = shape
    return m * k * n, (m * k + k * n + m * n) * itemsize
