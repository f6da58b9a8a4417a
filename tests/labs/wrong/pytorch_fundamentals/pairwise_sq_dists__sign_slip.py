"""Bug: the expanded form with a sign slip, ||x||^2 + ||y||^2 + 2 x.y instead of - 2 x.y."""


def pairwise_sq_dists(X, Y):
    return (X * X).sum(-1)[:, None] + (Y * Y).sum(-1)[None, :] + 2 * X @ Y.T
