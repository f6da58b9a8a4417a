"""Another idiom: per-op tables of reads, writes and FLOPs; a piecewise roofline; a tiled
matmul built from torch.split blocks and torch.cat, the way d2l writes block algorithms."""

import torch


def flops_and_bytes(op, shape, itemsize):
    table = {  # op -> (FLOPs, elements read, elements written)
        "copy": lambda n: (0, n, n),
        "add": lambda n: (n, 2 * n, n),
        "matvec": lambda m, k: (2 * m * k, m * k + k, m),
        "matmul": lambda m, k, n: (2 * m * k * n, m * k + k * n, m * n),
    }
    flops, reads, writes = table[op](*shape)
    return int(flops), int((reads + writes) * itemsize)


def roofline(flops, nbytes, peak_tflops, bandwidth_tbps):
    intensity = float(flops) / float(nbytes)
    ridge = peak_tflops / bandwidth_tbps
    if intensity >= ridge:
        return {"intensity": intensity, "attainable_tflops": float(peak_tflops),
                "bound": "compute"}
    return {"intensity": intensity, "attainable_tflops": intensity * bandwidth_tbps,
            "bound": "memory"}


def tiled_matmul(A, B, tile):
    rows = []
    for a_row in A.split(tile, dim=0):  # (<= tile, K)
        blocks = []
        for b_col in B.split(tile, dim=1):  # (K, <= tile)
            parts = zip(a_row.split(tile, dim=1), b_col.split(tile, dim=0), strict=True)
            blocks.append(sum(a @ b for a, b in parts))
        rows.append(torch.cat(blocks, dim=1))
    return torch.cat(rows, dim=0)
