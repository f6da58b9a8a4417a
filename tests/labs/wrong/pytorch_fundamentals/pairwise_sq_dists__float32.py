"""Bug: computes in float32 (torch's default dtype) whatever the input's dtype."""


def pairwise_sq_dists(X, Y):
    diff = X.float()[:, None, :] - Y.float()[None, :, :]
    return (diff * diff).sum(-1)
