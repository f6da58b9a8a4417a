"""Bug: each K tile's product replaces the accumulator instead of adding to it."""

import torch


def tiled_matmul(A, B, tile):
    M, K = A.shape
    N = B.shape[1]
    C = torch.empty(M, N, dtype=A.dtype, device=A.device)
    for i in range(0, M, tile):
        for j in range(0, N, tile):
            acc = torch.zeros(min(tile, M - i), min(tile, N - j), dtype=A.dtype, device=A.device)
            for k in range(0, K, tile):
                acc = A[i:i + tile, k:k + tile] @ B[k:k + tile, j:j + tile]
            C[i:i + tile, j:j + tile] = acc
    return C
