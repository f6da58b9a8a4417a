"""Bug: projects on eigenvectors of A^T A from eigh, whose eigenvalues come in ascending
order, so it keeps the k *smallest* singular directions."""

import torch


def low_rank_approx(A, k):
    evals, V = torch.linalg.eigh(A.T @ A)  # ascending
    Vk = V[:, :k]  # should be V[:, -k:]
    return A @ Vk @ Vk.T
