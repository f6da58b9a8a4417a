"""Bug: stores the projection <q_i, a_j> at R[j, i] (below the diagonal) instead of R[i, j]."""

import torch


def gram_schmidt_qr(A):
    m, n = A.shape
    Q = A.clone()
    R = torch.zeros(n, n, dtype=A.dtype, device=A.device)
    for j in range(n):
        R[j, j] = torch.linalg.vector_norm(Q[:, j])
        Q[:, j] = Q[:, j] / R[j, j]
        for i in range(j + 1, n):
            R[i, j] = Q[:, j] @ Q[:, i]  # should be R[j, i]
            Q[:, i] = Q[:, i] - R[i, j] * Q[:, j]
    return Q, R
