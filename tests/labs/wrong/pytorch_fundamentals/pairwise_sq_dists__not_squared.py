"""Bug: returns the distances (a norm), not the squared distances."""


def pairwise_sq_dists(X, Y):
    return (X[:, None, :] - Y[None, :, :]).norm(dim=-1)
