"""Another idiom: left-looking modified Gram-Schmidt in numpy, power iteration from a random
start, and the rank-k approximation as a projection on the top eigenvectors of A^T A."""

import numpy as np
import torch


def gram_schmidt_qr(A):
    a = A.detach().cpu().numpy()
    m, n = a.shape
    Q, R = np.zeros((m, n)), np.zeros((n, n))
    for j in range(n):
        v = a[:, j].copy()
        for i in range(j):  # project the *running* remainder: modified Gram-Schmidt
            R[i, j] = Q[:, i] @ v
            v -= R[i, j] * Q[:, i]
        R[j, j] = np.linalg.norm(v)
        Q[:, j] = v / R[j, j]
    return torch.from_numpy(Q).to(A.device), torch.from_numpy(R).to(A.device)


def power_iteration(S, iters):
    s = S.detach().cpu().numpy()
    v = np.random.default_rng(0).normal(size=s.shape[0])
    for _ in range(iters):
        v = s @ v
        v /= np.linalg.norm(v)
    return float(v @ s @ v), torch.from_numpy(v).to(S.device)


def low_rank_approx(A, k):
    _, V = torch.linalg.eigh(A.T @ A)  # ascending eigenvalues: the top k are the last columns
    Vk = V[:, V.shape[1] - k:]
    return A @ Vk @ Vk.T
