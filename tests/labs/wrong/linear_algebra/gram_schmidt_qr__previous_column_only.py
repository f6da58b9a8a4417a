"""Bug: orthogonalises each column against the previous q only, not against all earlier ones."""

import torch


def gram_schmidt_qr(A):
    m, n = A.shape
    Q = torch.zeros_like(A)
    R = torch.zeros(n, n, dtype=A.dtype, device=A.device)
    for j in range(n):
        v = A[:, j].clone()
        if j > 0:
            R[j - 1, j] = Q[:, j - 1] @ v
            v = v - R[j - 1, j] * Q[:, j - 1]
        R[j, j] = torch.linalg.vector_norm(v)
        Q[:, j] = v / R[j, j]
    return Q, R
