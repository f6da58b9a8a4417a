"""Bug: only the inputs are counted as traffic; writing the result costs bytes too."""


def flops_and_bytes(op, shape, itemsize):
    if op == "copy":
        (n,) = shape
        return 0, n * itemsize
    if op == "add":
        (n,) = shape
        return n, 2 * n * itemsize
    if op == "matvec":
        m, k = shape
        return 2 * m * k, (m * k + k) * itemsize
    m, k, n = shape
    return 2 * m * k * n, (m * k + k * n) * itemsize
