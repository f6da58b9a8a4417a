"""Bug: classical Gram-Schmidt, every projection taken from the original column a_j."""

import torch


def gram_schmidt_qr(A):
    m, n = A.shape
    Q = torch.zeros_like(A)
    R = torch.zeros(n, n, dtype=A.dtype, device=A.device)
    for j in range(n):
        v = A[:, j].clone()
        for i in range(j):
            R[i, j] = Q[:, i] @ A[:, j]  # should be Q[:, i] @ v (the reduced column)
            v = v - R[i, j] * Q[:, i]
        R[j, j] = torch.linalg.vector_norm(v)
        Q[:, j] = v / R[j, j]
    return Q, R
