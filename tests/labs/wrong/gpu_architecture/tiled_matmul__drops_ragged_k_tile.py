"""Bug: the K loop stops one tile early when K is not a multiple of the tile."""

import torch


def tiled_matmul(A, B, tile):
    M, K = A.shape
    N = B.shape[1]
    C = torch.empty(M, N, dtype=A.dtype, device=A.device)
    for i in range(0, M, tile):
        for j in range(0, N, tile):
            acc = torch.zeros(min(tile, M - i), min(tile, N - j), dtype=A.dtype, device=A.device)
            for k in range(0, K - K % tile, tile):  # the ragged last K tile is never added
                acc += A[i:i + tile, k:k + tile] @ B[k:k + tile, j:j + tile]
            C[i:i + tile, j:j + tile] = acc
    return C
