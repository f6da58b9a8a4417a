"""Bug: C is allocated with torch.zeros' default dtype (float32), so float64 products are
rounded to float32 when stored."""

import torch


def tiled_matmul(A, B, tile):
    M, K = A.shape
    N = B.shape[1]
    C = torch.zeros(M, N, device=A.device)
    for i in range(0, M, tile):
        for j in range(0, N, tile):
            for k in range(0, K, tile):
                C[i:i + tile, j:j + tile] += A[i:i + tile, k:k + tile] @ B[k:k + tile, j:j + tile]
    return C
