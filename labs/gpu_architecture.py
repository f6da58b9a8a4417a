"""GPU architecture: CUDA cores, video memory, GPU vs CPU, parallelism and throughput.

A CPU has a few fast cores with big caches; a GPU has many streaming multiprocessors (SMs),
each with 64-128 simple "CUDA cores" (fp32 lanes) and tensor cores for small matrix
products, fed by high-bandwidth video memory (HBM/GDDR, "VRAM"). Work is split into
independent tiles, one per thread block, so thousands of them run in parallel. Whether a
kernel is limited by arithmetic or by memory depends on its arithmetic intensity (FLOPs per
byte moved): the roofline says achievable FLOP/s = min(peak FLOP/s, intensity x bandwidth).

This lab writes the FLOP count of a matmul (checked against torch's FlopCounterMode) and a
tiled matmul, the way a GPU divides the work (checked against float64 A @ B); checks that
GPU and CPU give the same products within stated per-dtype tolerances; and sweeps matmul
(fp32, TF32, bf16) and copy (device-to-device, host-to-device pinned and pageable) sizes on
CPU and GPU, reporting achieved TFLOP/s and GB/s against the card's peak in a roofline plot.

$ python labs/gpu_architecture.py --quick
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import kit
import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("matmul_flops", "tiled_matmul")

# dense peaks from NVIDIA's data sheets (TFLOP/s, TB/s); first matching name wins
PEAKS = [("H200", {"fp32": 67.0, "tf32": 494.7, "bf16": 989.4, "tbps": 4.8}),
         ("H100 PCIe", {"fp32": 51.2, "tf32": 378.0, "bf16": 756.0, "tbps": 2.0}),
         ("H100", {"fp32": 66.9, "tf32": 494.7, "bf16": 989.4, "tbps": 3.35}),
         ("A100", {"fp32": 19.5, "tf32": 156.0, "bf16": 312.0, "tbps": 2.0})]
CORES_PER_SM = {7: 64, 8: 64, 9: 128, 10: 128, 12: 128}  # fp32 lanes per SM by major cc
TOL = {"fp32": 1e-5, "tf32": 3e-3, "bf16": 1.5e-2}  # rel. Frobenius error vs float64 A @ B


@dataclass
class Config:
    sizes: tuple = (256, 512, 1024, 2048, 4096, 8192)  # square matmul sizes on the GPU
    cpu_sizes: tuple = (16, 32, 64, 128, 256, 512, 1024, 2048)  # ... and on the CPU
    copy_mib: tuple = (0.0625, 1, 16, 128, 1024, 2048)  # copy sizes, MiB per tensor
    h2d_mib: tuple = (1, 16, 256)  # host-to-device transfer sizes, MiB
    equal_n: int = 2048  # size of the CPU-vs-GPU equality test
    min_s: float = 0.15  # time each point for at least this long (after warm-up)
    tile: int = 64  # tile edge of the hand-written tiled matmul


def matmul_flops(m: int, k: int, n: int) -> int:
    """Floating-point operations of (m, k) @ (k, n): one multiply and one add per term."""
    return 2 * m * k * n


def tiled_matmul(A: torch.Tensor, B: torch.Tensor, tile: int) -> torch.Tensor:
    """C = A @ B computed tile by tile, like a CUDA kernel's grid of thread blocks.

    Each (tile x tile) block of C is independent work (one thread block); it marches along
    K accumulating A-tile @ B-tile products (tiles staged through shared memory). Shapes
    need not be multiples of ``tile``.
    """
    M, K = A.shape
    N = B.shape[1]
    C = torch.empty(M, N, dtype=A.dtype, device=A.device)  # (M, N)
    for i in range(0, M, tile):  # rows of the grid
        for j in range(0, N, tile):  # columns of the grid: every (i, j) could run in parallel
            acc = torch.zeros(min(tile, M - i), min(tile, N - j), dtype=A.dtype, device=A.device)
            for k in range(0, K, tile):  # the sequential loop inside one thread block
                acc += A[i:i + tile, k:k + tile] @ B[k:k + tile, j:j + tile]
            C[i:i + tile, j:j + tile] = acc
    return C


def set_tf32(enabled: bool) -> None:
    """TF32 for fp32 matmuls on/off, with the new API where torch has it (never mix both)."""
    if hasattr(torch.backends.cuda.matmul, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "tf32" if enabled else "ieee"
    else:
        torch.backends.cuda.matmul.allow_tf32 = enabled


def bench(lab, fn, min_s: float) -> float:
    """Seconds per call of ``fn``: warm up, size the repeat count, time it (GPU synced)."""
    for _ in range(2):
        fn()
    with lab.timer() as t:
        fn()
    reps = max(1, min(2000, int(min_s / max(t.seconds, 1e-7))))
    with lab.timer() as t:
        for _ in range(reps):
            fn()
    return t.seconds / reps


def rel_err(c: torch.Tensor, ref: torch.Tensor) -> float:
    """Relative Frobenius error ||c - ref|| / ||ref|| (float64, on the CPU)."""
    c = c.double().cpu()
    return float(torch.linalg.norm(c - ref) / torch.linalg.norm(ref))


def body(lab: kit.Lab) -> None:
    cuda = lab.device == "cuda"
    cfg = Config() if not lab.quick else Config(
        cpu_sizes=(16, 32, 64, 128, 256), copy_mib=(0.0625, 1, 16), equal_n=256, min_s=0.02)
    if not cuda and not lab.quick:  # full mode on a CPU-only box: CPU sweep only
        cfg.cpu_sizes, cfg.equal_n = (16, 32, 64, 128, 256, 512, 1024), 1024
    dtypes = {"fp32": torch.float32, "tf32": torch.float32, "bf16": torch.bfloat16}

    lab.section("the hardware")
    lab.metric("cpu_logical_cores", os.cpu_count() or 0)
    lab.metric("cpu_torch_threads", torch.get_num_threads())
    peak, l2 = None, 0
    if cuda:
        p = torch.cuda.get_device_properties(0)
        cores = p.multi_processor_count * CORES_PER_SM.get(p.major, 128)
        lab.log(f"  {p.name}: compute capability {p.major}.{p.minor}")
        lab.metric("gpu_sms", p.multi_processor_count)
        lab.metric("gpu_cuda_cores", cores)
        lab.metric("gpu_vram_gib", p.total_memory / 2**30, "GiB")
        l2 = getattr(p, "L2_cache_size", 0)  # bytes; copies that fit run from the cache
        lab.metric("gpu_l2_cache_mib", l2 / 2**20, "MiB")
        if getattr(p, "clock_rate", 0):  # kHz: peak fp32 = cores x 2 FLOP (FMA) x clock
            lab.metric("peak_fp32_tflops_from_cores", cores * 2 * p.clock_rate * 1e3 / 1e12)
        peak = next((pk for name, pk in PEAKS if name in p.name), None)
        if peak is None:
            lab.note(f"no data-sheet peaks for {p.name}: achieved numbers only")
    else:
        lab.note("no CUDA here: CPU throughput only; GPU numbers need --device cuda")

    lab.section("FLOP count vs torch's FlopCounterMode")
    from torch.utils.flop_counter import FlopCounterMode

    with lab.guard("matmul_flops runs"):
        for m, k, n in [(3, 5, 7), (64, 128, 32), (1, 1000, 1)]:
            with FlopCounterMode(display=False) as counter:
                torch.randn(m, k) @ torch.randn(k, n)
            lab.check_equal(f"matmul_flops{(m, k, n)} = FlopCounterMode",
                            matmul_flops(m, k, n), counter.get_total_flops())

    lab.section(f"tiled matmul = A @ B (float64, {lab.device})")
    with lab.guard("tiled_matmul runs"):
        A = torch.randn(200, 150, dtype=torch.float64, device=lab.torch_device)
        B = torch.randn(150, 130, dtype=torch.float64, device=lab.torch_device)
        lab.check_close("tiled_matmul (tile 64, ragged edges) = A @ B",
                        tiled_matmul(A, B, cfg.tile), (A.cpu() @ B.cpu()), rtol=1e-12,
                        atol=1e-10)

    lab.section(f"same product on every device and dtype vs float64 (n={cfg.equal_n})")
    A = torch.randn(cfg.equal_n, cfg.equal_n)
    B = torch.randn(cfg.equal_n, cfg.equal_n)
    ref = A.double() @ B.double()  # oracle: float64 on the CPU
    c_cpu = A @ B
    lab.check_le("cpu fp32 vs float64 (rel. Frobenius error)", rel_err(c_cpu, ref), TOL["fp32"])
    a, b = A[:256, :256], B[:256, :256]  # CPUs without bf16 units are slow: a corner only
    lab.check_le("cpu bf16 vs float64 (n=256)",
                 rel_err(a.bfloat16() @ b.bfloat16(), a.double() @ b.double()), TOL["bf16"])
    if cuda:
        Ag, Bg = A.cuda(), B.cuda()
        for name, dt in dtypes.items():
            set_tf32(name == "tf32")
            c = Ag.to(dt) @ Bg.to(dt)
            lab.check_le(f"cuda {name} vs float64", rel_err(c, ref), TOL[name])
        set_tf32(False)
        lab.check_le("cuda fp32 = cpu fp32 (rel. Frobenius difference)",
                     rel_err(Ag @ Bg, c_cpu.double()), TOL["fp32"])
    else:
        lab.note("cuda vs cpu comparison skipped: no GPU")

    lab.section("matmul throughput vs size")
    curves = {}  # label -> (sizes, TFLOP/s)
    runs = [("cpu", "fp32", cfg.cpu_sizes), ("cpu", "bf16", cfg.cpu_sizes[:3])]
    runs += [("cuda", d, cfg.sizes) for d in dtypes] if cuda else []
    with lab.guard("matmul sweep runs"):
        for dev, name, sizes in runs:
            tf = []
            if dev == "cuda":
                set_tf32(name == "tf32")
            for n in sizes:
                X = torch.randn(n, n, device=dev).to(dtypes[name])
                Y = torch.randn(n, n, device=dev).to(dtypes[name])
                sec = bench(lab, lambda X=X, Y=Y: X @ Y, cfg.min_s)
                tf.append(matmul_flops(n, n, n) / sec / 1e12)
            curves[f"{dev} {name}"] = (list(sizes), tf)
            lab.log(f"  {dev} {name} TFLOP/s by n: "
                    + ", ".join(f"{n}: {t:.3g}" for n, t in zip(sizes, tf, strict=True)))
            lab.metric(f"{'' if dev == 'cuda' else 'cpu_'}matmul_{name}_tflops", max(tf),
                       "TFLOP/s")
            if peak and dev == "cuda":
                lab.metric(f"matmul_{name}_frac_of_peak", max(tf) / peak[name])
        if cuda:
            set_tf32(False)
        key = "cuda bf16" if cuda else "cpu fp32"
        lab.check_ge(f"{key}: largest size beats smallest (throughput ratio)",
                     curves[key][1][-1] / curves[key][1][0], 2.0,
                     "small matmuls cannot fill the cores: launch and latency bound")

    lab.section("memory bandwidth: copies")
    bw = {}  # label -> (MiB, GB/s), bytes read + written
    kinds = [("cpu copy", "cpu", "cpu", cfg.copy_mib[:3])]
    kinds += [("d2d", "cuda", "cuda", cfg.copy_mib), ("h2d pinned", "pin", "cuda", cfg.h2d_mib),
              ("h2d pageable", "cpu", "cuda", cfg.h2d_mib)] if cuda else []
    for label, src_dev, dst_dev, sizes in kinds:
        rates = []
        for mib in sizes:
            numel = int(mib * 2**20) // 4
            src = torch.randn(numel, pin_memory=True) if src_dev == "pin" else \
                torch.randn(numel, device=src_dev)
            dst = torch.empty(numel, device=dst_dev)
            sec = bench(lab, lambda s=src, d=dst: d.copy_(s), cfg.min_s)
            moved = 2 * src.nbytes if src_dev == dst_dev else src.nbytes  # read+write on one
            rates.append(moved / sec / 1e9)
        same = torch.equal(dst.to(src.device), src)  # the largest copy, checked in full
        lab.check(f"{label}: copy of {sizes[-1]:g} MiB equals its source", same, "equal",
                  "equal" if same else "differs")
        del src, dst
        bw[label] = (list(sizes), rates)
        lab.log(f"  {label} GB/s by MiB: "
                + ", ".join(f"{m:g}: {r:.4g}" for m, r in zip(sizes, rates, strict=True)))
    lab.metric("cpu_copy_gbps", max(bw["cpu copy"][1]), "GB/s")
    if cuda:  # HBM bandwidth: only copies well beyond L2 (>= 4x its size) count
        d2d = max([r for m, r in zip(*bw["d2d"], strict=True) if m * 2**20 >= 4 * l2]
                  or bw["d2d"][1][-1:])
        lab.metric("copy_d2d_gbps", d2d, "GB/s")
        lab.metric("copy_d2d_best_any_size_gbps", max(bw["d2d"][1]), "GB/s")
        lab.metric("copy_h2d_pinned_gbps", max(bw["h2d pinned"][1]), "GB/s")
        lab.metric("copy_h2d_pageable_gbps", max(bw["h2d pageable"][1]), "GB/s")
        lab.check_ge("d2d: largest copy beats smallest (bandwidth ratio)",
                     bw["d2d"][1][-1] / bw["d2d"][1][0], 4.0)
        if peak:
            lab.metric("copy_d2d_frac_of_peak", d2d / (1e3 * peak["tbps"]))
        bf16 = max(curves.get("cuda bf16", [[], [0]])[1])
        for name, got, target in [("matmul bf16 TFLOP/s", bf16, 600),
                                  ("d2d copy GB/s beyond L2", d2d, 2500)]:
            lab.note(f"{name}: best {got:.4g}, H100/H200 target {target} "
                     f"({'met' if got >= target else 'NOT met'})")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for label, (sizes, tf) in curves.items():  # roofline view: intensity of square matmuls
        bytes_per = 2 if "bf16" in label else 4
        a1.loglog([2 * n / (3 * bytes_per) for n in sizes], tf, "o-", label=label)
    if peak:
        ai = [1, 10, 100, 1000, 10000]
        a1.loglog(ai, [min(peak["bf16"], x * peak["tbps"]) for x in ai], "k--", lw=1,
                  label=f"bf16 roofline ({peak['bf16']:g} TFLOP/s, {peak['tbps']:g} TB/s)")
    a1.set(xlabel="arithmetic intensity (FLOP / byte)", ylabel="achieved TFLOP/s",
           title="matmul n x n (point = size n)")
    a1.legend(fontsize=7)
    for label, (mib, rates) in bw.items():
        a2.loglog(mib, rates, "o-", label=label)
    a2.set(xlabel="MiB per tensor", ylabel="GB/s (read + write)", title="copy bandwidth")
    a2.legend(fontsize=7)
    lab.savefig(fig, "roofline.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("gpu-architecture", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
