"""Bug: returns ||S v|| as the eigenvalue, which loses the sign of a negative lambda."""

import torch


def power_iteration(S, iters):
    v = torch.ones(S.shape[0], dtype=S.dtype, device=S.device)
    v = v / torch.linalg.vector_norm(v)
    lam = 0.0
    for _ in range(iters):
        w = S @ v
        lam = float(torch.linalg.vector_norm(w))
        v = w / lam
    return lam, v
