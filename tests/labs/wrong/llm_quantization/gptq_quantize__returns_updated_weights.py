"""Bug: returns the error-compensated W (never overwritten with q) instead of the codes."""

import torch
from llm_quantization import quantize_to_grid


def gptq_quantize(W, X, scale, zero, maxq, damp=0.01):
    W = W.clone()
    H = X.T @ X
    H += damp * H.diagonal().mean() * torch.eye(H.shape[0], dtype=H.dtype)
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    for i in range(W.shape[1]):
        q = quantize_to_grid(W[:, i], scale, zero, maxq)
        e = (W[:, i] - q) / U[i, i]
        W[:, i + 1:] -= torch.outer(e, U[i, i + 1:])
    return W
