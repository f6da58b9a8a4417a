"""Bug: off by one, keeps k + 1 singular values (indices 0..k inclusive)."""

import torch


def low_rank_approx(A, k):
    U, s, Vh = torch.linalg.svd(A, full_matrices=False)
    return U[:, :k + 1] @ torch.diag(s[:k + 1]) @ Vh[:k + 1, :]
