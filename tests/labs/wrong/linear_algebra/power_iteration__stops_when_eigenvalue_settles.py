"""Bug: stops as soon as the eigenvalue estimate settles (it converges twice as fast as v),
instead of running the iters steps asked for, so v is still off by ~1e-5."""

import torch


def power_iteration(S, iters):
    v = torch.ones(S.shape[0], dtype=S.dtype, device=S.device)
    v = v / torch.linalg.vector_norm(v)
    lam = float(v @ S @ v)
    for _ in range(iters):
        w = S @ v
        v = w / torch.linalg.vector_norm(w)
        new = float(v @ S @ v)
        if abs(new - lam) < 1e-9 * abs(new):
            break
        lam = new
    return float(v @ S @ v), v
