"""Bug: updates the caller's W in place (no copy), so the fp weights are lost."""

import torch
from llm_quantization import quantize_to_grid


def gptq_quantize(W, X, scale, zero, maxq, damp=0.01):
    H = X.T @ X
    H += damp * H.diagonal().mean() * torch.eye(H.shape[0], dtype=H.dtype)
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    Q = torch.zeros_like(W)
    for i in range(W.shape[1]):
        Q[:, i] = quantize_to_grid(W[:, i], scale, zero, maxq)
        e = (W[:, i] - Q[:, i]) / U[i, i]
        W[:, i + 1:] -= torch.outer(e, U[i, i + 1:])
    return Q
