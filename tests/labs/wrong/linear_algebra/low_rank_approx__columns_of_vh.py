"""Bug: takes the first k columns of V^T where the first k rows (the top right singular
vectors) belong."""

import torch


def low_rank_approx(A, k):
    U, s, Vh = torch.linalg.svd(A, full_matrices=False)
    return U[:, :k] @ torch.diag(s[:k]) @ Vh[:, :k].T
