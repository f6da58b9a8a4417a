"""Another correct solution: keepdim broadcasting, floor(x + 0.5) rounding, arithmetic
packing, and GPTQ as the reference implementation writes it (blocks of columns with lazy
batch updates, the Cholesky factor from torch.linalg.inv)."""

import torch


def _round(x):
    return torch.floor(x + 0.5)


def absmax_quantize(w):
    w = w.float()
    scale = torch.max(torch.abs(w), dim=1, keepdim=True).values / 127.0
    q = torch.clamp(_round(w / scale), -127, 127).to(torch.int8)
    return q, scale.squeeze(1)


def zeropoint_quantize(w):
    w = w.float()
    zeros = torch.zeros(w.shape[0], 1)
    lo = torch.minimum(w.min(dim=1, keepdim=True).values, zeros)
    hi = torch.maximum(w.max(dim=1, keepdim=True).values, zeros)
    scale = (hi - lo) / 255.0
    zp = _round(-lo / scale)
    q = torch.clamp(_round(w / scale) + zp, 0, 255).to(torch.uint8)
    return q, scale.squeeze(1), zp.squeeze(1).to(torch.int32)


def quantize_int4_groups(w, group_size):
    rows, cols = w.shape
    codes = torch.empty(rows, cols, dtype=torch.int32)
    scales = torch.empty(rows, cols // group_size)
    zeros = torch.empty(rows, cols // group_size)
    for j in range(cols // group_size):
        block = w[:, j * group_size:(j + 1) * group_size].float()
        lo = block.min(dim=1).values.clamp(max=0.0)
        hi = block.max(dim=1).values.clamp(min=0.0)
        s = (hi - lo) / 15.0
        z = _round(-lo / s)
        codes[:, j * group_size:(j + 1) * group_size] = torch.clamp(
            _round(block / s[:, None]) + z[:, None], 0, 15).to(torch.int32)
        scales[:, j], zeros[:, j] = s, z
    packed = (codes[:, 0::2] + 16 * codes[:, 1::2]).to(torch.uint8)
    return packed, scales, zeros


def gptq_quantize(W, X, scale, zero, maxq, damp=0.01, blocksize=16):
    W = W.clone().to(torch.float64)
    n = W.shape[1]
    H = X.T.to(torch.float64) @ X.to(torch.float64)
    H[range(n), range(n)] += damp * torch.mean(torch.diag(H))
    Hinv = torch.linalg.cholesky(torch.linalg.inv(H).T.contiguous()).T  # upper factor
    Q = torch.zeros_like(W)
    s, z = scale[:, None], zero[:, None]
    for i1 in range(0, n, blocksize):
        i2 = min(i1 + blocksize, n)
        W1, Hinv1 = W[:, i1:i2].clone(), Hinv[i1:i2, i1:i2]
        Err1 = torch.zeros_like(W1)
        for i in range(i2 - i1):
            w = W1[:, i:i + 1]
            q = (torch.clamp(_round(w / s) + z, 0, maxq) - z) * s
            Q[:, i1 + i] = q[:, 0]
            err = (w - q) / Hinv1[i, i]
            W1[:, i:] -= err @ Hinv1[i:i + 1, i:]
            Err1[:, i] = err[:, 0]
        W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]
    return Q
