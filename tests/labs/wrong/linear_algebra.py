"""A deliberately wrong solution: classical Gram-Schmidt against only the previous column,
power iteration that never renormalises (overflows), and columns of V^T used instead of rows."""

import torch


def gram_schmidt_qr(A):
    m, n = A.shape
    Q = torch.zeros_like(A)
    R = torch.zeros(n, n, dtype=A.dtype, device=A.device)
    for j in range(n):
        v = A[:, j].clone()
        if j > 0:  # bug: orthogonalises against the previous column only
            R[j - 1, j] = Q[:, j - 1] @ A[:, j]
            v -= R[j - 1, j] * Q[:, j - 1]
        R[j, j] = torch.linalg.vector_norm(v)
        Q[:, j] = v / R[j, j]
    return Q, R


def power_iteration(S, iters):
    v = torch.ones(S.shape[0], dtype=S.dtype, device=S.device)
    for _ in range(iters):
        v = S @ v  # bug: no renormalisation, so v grows like |lambda|**t and overflows
    v_unit = v / torch.linalg.vector_norm(v)
    return float(v_unit @ S @ v_unit), v_unit


def low_rank_approx(A, k):
    U, s, Vh = torch.linalg.svd(A, full_matrices=False)
    return U[:, :k] @ torch.diag(s[:k]) @ Vh[:, :k].T  # bug: columns of V^T, not rows
