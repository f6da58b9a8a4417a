"""A deliberately wrong solution: a multiply-add counted as one FLOP, and the tiled matmul's
K loop stops one tile early when K is not a multiple of the tile (off-by-one)."""

import torch


def matmul_flops(m, k, n):
    return m * k * n  # bug: an FMA is two floating-point operations


def tiled_matmul(A, B, tile):
    M, K = A.shape
    N = B.shape[1]
    C = torch.empty(M, N, dtype=A.dtype, device=A.device)
    for i in range(0, M, tile):
        for j in range(0, N, tile):
            acc = torch.zeros(min(tile, M - i), min(tile, N - j), dtype=A.dtype, device=A.device)
            for k in range(0, K - tile, tile):  # bug: drops the last (ragged) K tile
                acc += A[i:i + tile, k:k + tile] @ B[k:k + tile, j:j + tile]
            C[i:i + tile, j:j + tile] = acc
    return C
