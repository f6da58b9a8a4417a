"""Bug: normalises each column (dim=0) instead of each row."""


def cosine_matrix(x, y):
    x = x / x.norm(dim=0, keepdim=True)
    y = y / y.norm(dim=0, keepdim=True)
    return x @ y.T
