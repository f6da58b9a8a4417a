"""GPU architecture: CUDA cores, video memory, parallelism, and the roofline of a card.

A CPU has a few fast cores with big caches; a GPU has many streaming multiprocessors (SMs),
each with 64-128 simple "CUDA cores" (fp32 lanes) and tensor cores for small matrix
products, fed by high-bandwidth video memory (HBM/GDDR, "VRAM"). Work is cut into
independent tiles, one per thread block, so thousands of them run in parallel.

Whether a kernel is limited by arithmetic or by memory depends on its arithmetic intensity
AI = FLOPs / bytes moved. Count a matmul (m, k) @ (k, n) as 2mkn FLOPs (a multiply and an
add per term) and its minimum traffic as (mk + kn + mn) elements; a copy does no arithmetic
and moves every byte twice (read, then write). The roofline model bounds what a card can
reach: attainable FLOP/s = min(peak FLOP/s, AI x bandwidth). Below the ridge point
AI = peak / bandwidth a kernel is memory-bound, at or above it compute-bound. An H100 SXM
(989.5 dense bf16 TFLOP/s, 3.35 TB/s) has its ridge near 295 FLOP/byte: a bf16 matmul of
size 8192 (AI ~ 2731) is compute-bound, a copy or a matrix-vector product is memory-bound.

You count FLOPs and bytes, place kernels on a roofline and write a tiled matmul the way a
GPU divides the work. On a GPU the lab then measures bf16 matmuls and device copies with your
counts and, on a card in labs/data/gpu_peaks/peaks.json, grades them against its data sheet:
bf16 matmul >= 70 % of the dense peak, copies (sizes well beyond L2) >= 75 % of bandwidth.

$ python labs/gpu_architecture.py --quick
"""

from __future__ import annotations

import json
import os
import re
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("flops_and_bytes", "roofline", "tiled_matmul")
PEAKS = Path(__file__).resolve().parent / "data" / "gpu_peaks" / "peaks.json"
REFERENCE_CARD = "H100 SXM"  # the roofline used where no known GPU is present
TOL = {"fp32": 1e-6, "tf32": 6e-4, "bf16": 5e-3}  # rel. Frobenius error vs float64 A @ B
DTYPES = {"fp32": torch.float32, "tf32": torch.float32, "bf16": torch.bfloat16}
ITEMSIZE = {"fp32": 4, "tf32": 4, "bf16": 2}
# kernels placed on the roofline of their dtype: (label, op, shape, dtype)
KERNELS = [("copy 256 Mi fp32", "copy", (2**28,), "fp32"), ("add 1 Mi bf16", "add", (2**20,),
           "bf16"), ("matvec 8192 fp32", "matvec", (8192, 8192), "fp32"), ("matmul 64 bf16",
           "matmul", (64, 64, 64), "bf16"), ("matmul 1024x64x1024 bf16", "matmul", (1024, 64, 1024),
           "bf16"), ("matmul 8192 fp32", "matmul", (8192,) * 3, "fp32"), ("matmul 8192 bf16",
           "matmul", (8192,) * 3, "bf16")]


@dataclass
class Config:
    sizes: tuple = (512, 1024, 2048, 4096, 8192, 16384)  # square matmul sizes on the GPU
    cpu_sizes: tuple = (16, 32, 64, 128, 256, 512, 1024)  # ... and on the CPU
    copy_mib: tuple = (1, 16, 64, 256, 1024, 2048)  # device copy sizes, MiB per tensor
    equal_n: int = 2048  # size of the device/dtype agreement test
    min_s: float = 0.15  # time each point for at least this long (after warm-up)
    tile: int = 64  # tile edge of the tiled matmul
    matmul_frac: float = 0.70  # bf16 matmul must reach this share of the dense peak
    copy_frac: float = 0.75  # device copies (>= 4x L2) must reach this share of bandwidth


def flops_and_bytes(op: str, shape: tuple, itemsize: int) -> tuple[int, int]:
    """FLOPs and minimum bytes moved by one kernel, as two ints.

    - "copy", shape (n,): y = x. 0 FLOPs; reads n elements, writes n.
    - "add", shape (n,): z = x + y. n FLOPs; reads 2n, writes n.
    - "matvec", shape (m, k): y = A @ x. 2mk FLOPs (a multiply and an add per term);
      reads mk + k, writes m.
    - "matmul", shape (m, k, n): C = A @ B. 2mkn FLOPs; reads mk + kn, writes mn.

    Bytes = elements read + elements written, times ``itemsize`` (bytes per element: 4 for
    fp32, 2 for bf16): every input read once and the output written once, the least traffic
    a kernel can have (what a perfect cache achieves).
    """
    if op in ("copy", "add"):
        (n,) = shape
        return (0, (n + n) * itemsize) if op == "copy" else (n, (2 * n + n) * itemsize)
    if op == "matvec":
        m, k = shape
        return 2 * m * k, (m * k + k + m) * itemsize
    if op == "matmul":
        m, k, n = shape
        return 2 * m * k * n, (m * k + k * n + m * n) * itemsize
    raise ValueError(f"unknown op {op!r}")


def roofline(flops: float, nbytes: float, peak_tflops: float, bandwidth_tbps: float) -> dict:
    """Place a kernel on a card's roofline.

    Returns ``{"intensity": flops / nbytes (FLOP per byte), "attainable_tflops":
    min(peak_tflops, intensity * bandwidth_tbps), "bound": "memory" or "compute"}``. TFLOP/s
    and TB/s share the 10^12, so intensity x bandwidth is in TFLOP/s. The kernel is
    "memory"-bound when its intensity is below the ridge point peak_tflops / bandwidth_tbps,
    "compute"-bound at or above it.
    """
    ai = flops / nbytes
    ridge = peak_tflops / bandwidth_tbps
    return {"intensity": ai, "attainable_tflops": min(peak_tflops, ai * bandwidth_tbps),
            "bound": "memory" if ai < ridge else "compute"}


def tiled_matmul(A: torch.Tensor, B: torch.Tensor, tile: int) -> torch.Tensor:
    """C = A @ B computed tile by tile, like a CUDA kernel's grid of thread blocks.

    Each (tile x tile) block of C is independent work (one thread block); it marches along
    K accumulating A-tile @ B-tile products (tiles staged through shared memory). Shapes
    need not be multiples of ``tile``: the last tile in each direction may be smaller. C has
    A's dtype and device (the check runs in float64 and expects float64 accuracy).
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


def find_card(name: str) -> dict | None:
    """The data-sheet entry of peaks.json whose pattern matches a device name (first wins)."""
    cards = json.loads(PEAKS.read_text())["cards"]
    return next((c for c in cards if re.search(c["match"], name) or c["card"] == name), None)


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


def wrong(got: dict, want: dict) -> dict:
    """The entries where ``got`` differs from ``want``, as "yours X, expected Y"."""
    return {k: f"yours {got.get(k)}, expected {v}" for k, v in want.items() if got.get(k) != v}


def rel_err(c: torch.Tensor, ref: torch.Tensor) -> float:
    """Relative Frobenius error ||c - ref|| / ||ref|| (float64, on the CPU)."""
    return float(torch.linalg.norm(c.double().cpu() - ref) / torch.linalg.norm(ref))


def body(lab: kit.Lab) -> None:
    cuda = lab.device == "cuda"
    cfg = Config() if cuda else Config(cpu_sizes=lab.pick((16, 32, 64, 128, 256), Config.cpu_sizes),
                                       copy_mib=lab.pick((1, 16), (1, 16, 64)),
                                       equal_n=lab.pick(256, 1024), min_s=lab.pick(0.02, 0.1))
    lab.section("the hardware")
    lab.log(f"  CPU: {os.cpu_count()} logical cores, torch uses {torch.get_num_threads()}")
    card, l2 = None, 0
    if cuda:
        p = torch.cuda.get_device_properties(0)
        lab.log(f"  {p.name}: compute capability {p.major}.{p.minor}, "
                f"{p.multi_processor_count} SMs, {p.total_memory / 2**30:.0f} GiB")
        l2 = getattr(p, "L2_cache_size", 0)  # bytes; copies that fit run from the cache
        lab.metric("gpu_l2_cache_mib", l2 / 2**20, "MiB")
        card = find_card(p.name)
        lab.note(f"data-sheet peaks: {card['card']} ({card['source']})" if card else
                 f"{p.name} is not in {PEAKS.name}: its figures are shown, not graded")
    roof = card or find_card(REFERENCE_CARD)
    ridge = roof["bf16"] / roof["bandwidth"]

    lab.section("count FLOPs and bytes (closed forms, torch's FlopCounterMode)")
    from torch.utils.flop_counter import FlopCounterMode

    closed = {"copy": lambda n: (0, 2 * n), "add": lambda n: (n, 3 * n),  # (FLOPs, elements)
              "matvec": lambda m, k: (2 * m * k, m * k + k + m),
              "matmul": lambda m, k, n: (2 * m * k * n, m * k + k * n + m * n)}
    cases = KERNELS + [("matmul 3x5x7 fp32", "matmul", (3, 5, 7), "fp32"),
                       ("matvec 300x200 bf16", "matvec", (300, 200), "bf16")]
    with lab.guard("flops_and_bytes runs"):
        mine = {lbl: tuple(int(v) for v in flops_and_bytes(op, shape, ITEMSIZE[dt]))
                for lbl, op, shape, dt in cases}
        lab.check_equal("FLOPs of copy, add, matvec, matmul = closed forms (wrong ones)",
                        wrong({lbl: mine[lbl][0] for lbl, *_ in cases},
                              {lbl: closed[op](*shape)[0] for lbl, op, shape, _ in cases}), {},
                        hint="a multiply-add is 2 FLOPs; a copy does no arithmetic")
        lab.check_equal("bytes = (elements read + written) x itemsize (wrong ones)",
                        wrong({lbl: mine[lbl][1] for lbl, *_ in cases},
                              {lbl: closed[op](*shape)[1] * ITEMSIZE[dt]
                               for lbl, op, shape, dt in cases}), {},
                        hint="count the output write too, and multiply by the itemsize")
        counted = {}
        for lbl, op, shape, _ in cases:
            if op in ("matmul", "matvec"):  # on the meta device: shapes only, no work
                m, k, n = shape if op == "matmul" else (*shape, 1)
                with FlopCounterMode(display=False) as counter:
                    torch.empty(m, k, device="meta") @ torch.empty(k, n, device="meta")
                counted[lbl] = counter.get_total_flops()
        lab.check_equal("matmul and matvec FLOPs = FlopCounterMode (wrong ones)",
                        wrong({lbl: mine[lbl][0] for lbl in counted}, counted), {})

    lab.section(f"place kernels on the {roof['card']} roofline ({roof['bf16']:g} bf16 and "
                f"{roof['fp32']:g} fp32 TFLOP/s, {roof['bandwidth']:g} TB/s)")
    placed = {}
    with lab.guard("roofline runs"):
        pts = [(lbl, closed[op](*shape)[0], closed[op](*shape)[1] * ITEMSIZE[dt], roof[dt],
                roof["bandwidth"]) for lbl, op, shape, dt in KERNELS]
        pts.append(("at the ridge", 100.0, 2.0, 100.0, 2.0))  # AI 50 = the card's ridge
        got = [roofline(f, nb, pk, bw) for _, f, nb, pk, bw in pts]
        lab.check_close("arithmetic intensity = FLOPs / bytes", [g["intensity"] for g in got],
                        [f / nb for _, f, nb, *_ in pts], rtol=1e-12)
        lab.check_close("attainable = min(peak, AI x bandwidth) (TFLOP/s)",
                        [g["attainable_tflops"] for g in got],
                        [min(pk, f / nb * bw) for _, f, nb, pk, bw in pts], rtol=1e-12,
                        hint="the roof is the lower of the two ceilings")
        lab.check_equal("memory- or compute-bound, at the ridge compute (wrong ones)",
                        wrong({p[0]: g["bound"] for p, g in zip(pts, got, strict=True)},
                              {lbl: "memory" if f / nb < pk / bw else "compute"
                               for lbl, f, nb, pk, bw in pts}), {})
        placed = {p[0]: (p, g) for p, g in zip(pts[:-1], got[:-1], strict=True)}
        lab.table("roofline", ["kernel", "FLOPs", "bytes", "FLOP/byte", "roof TFLOP/s",
                               "attainable TFLOP/s", "bound"],
                  [[lbl, f, nb, g["intensity"], pk, g["attainable_tflops"], g["bound"]]
                   for (lbl, f, nb, pk, _), g in placed.values()],
                  title=f"your counts on the {roof['card']} roofline")

    lab.section(f"tiled matmul = A @ B (float64, {lab.device})")
    tiled_errs = []
    with lab.guard("tiled_matmul runs"):
        for (m, k, n), tile in [((200, 150, 130), cfg.tile), ((96, 128, 64), 32)]:
            A = torch.randn(m, k, dtype=torch.float64, device=lab.torch_device)
            B = torch.randn(k, n, dtype=torch.float64, device=lab.torch_device)
            C = tiled_matmul(A, B, tile)
            tiled_errs.append(rel_err(C, A.cpu() @ B.cpu()))
            lab.check_close(f"tiled_matmul {m}x{k}x{n}, tile {tile} = A @ B", C.cpu(),
                            A.cpu() @ B.cpu(), rtol=1e-12, atol=1e-10,
                            hint="accumulate (+=) over every K tile, the ragged last one too")

    with lab.shown():
        lab.section(f"same product on every device and dtype vs float64 (n={cfg.equal_n})")
        A, B = torch.randn(cfg.equal_n, cfg.equal_n), torch.randn(cfg.equal_n, cfg.equal_n)
        ref = A.double() @ B.double()  # oracle: float64 on the CPU
        lab.check_le("cpu fp32 vs float64 (rel. Frobenius error)", rel_err(A @ B, ref),
                     TOL["fp32"])
        a, b = A[:256, :256], B[:256, :256]  # CPUs without bf16 units are slow: a corner only
        lab.check_le("cpu bf16 vs float64 (n=256; bf16 keeps 8 significant bits)",
                     rel_err(a.bfloat16() @ b.bfloat16(), a.double() @ b.double()), TOL["bf16"])
        if cuda:  # bf16 sums in fp32 (no reduced-precision split-K) for an honest bound
            torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = False
            for name, dt in DTYPES.items():
                set_tf32(name == "tf32")
                lab.check_le(f"cuda {name} vs float64",
                             rel_err(A.cuda().to(dt) @ B.cuda().to(dt), ref), TOL[name])
            set_tf32(False)
            torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = True

    lab.section("measured throughput, with your counts")
    runs = {f"cuda {d}": (d, cfg.sizes) for d in DTYPES} if cuda else \
        {"cpu fp32": ("fp32", cfg.cpu_sizes)}
    secs, copy_s, curves, copies = {}, {}, {}, {}  # seconds; TFLOP/s by size; GB/s by MiB
    frac_mm = frac_copy = float("nan")  # shares of the data-sheet peaks (GPU)
    for key, (name, sizes) in runs.items():
        for n in sizes:
            X, Y = (torch.randn(n, n, device=lab.device).to(DTYPES[name]) for _ in range(2))
            set_tf32(cuda and name == "tf32")
            secs[(key, n)] = bench(lab, lambda X=X, Y=Y: X @ Y, cfg.min_s)
            set_tf32(False)
    for mib in cfg.copy_mib:
        src = torch.randn(int(mib * 2**20) // 4, device=lab.device)
        dst = torch.empty_like(src)
        copy_s[mib] = bench(lab, lambda s=src, d=dst: d.copy_(s), cfg.min_s)
        lab.check(f"copy of {mib:g} MiB equals its source", torch.equal(dst, src), "equal",
                  "equal" if torch.equal(dst, src) else "differs", graded=False)
        del src, dst
    with lab.guard("throughput from your counts"):
        for key, (name, sizes) in runs.items():
            curves[key] = [flops_and_bytes("matmul", (n, n, n), ITEMSIZE[name])[0]
                           / secs[(key, n)] / 1e12 for n in sizes]
            lab.log(f"  {key} TFLOP/s by n: " + ", ".join(
                f"{n}: {t:.3g}" for n, t in zip(sizes, curves[key], strict=True)))
            lab.metric(f"matmul_{key.replace(' ', '_')}_tflops", max(curves[key]), "TFLOP/s")
        copies = {m: flops_and_bytes("copy", (int(m * 2**20) // 4,), 4)[1] / s / 1e9
                  for m, s in copy_s.items()}
        lab.log("  copy GB/s (read + write) by MiB: "
                + ", ".join(f"{m:g}: {r:.4g}" for m, r in copies.items()))
        beyond_l2 = [r for m, r in copies.items() if m * 2**20 >= 4 * l2]  # HBM, not cache
        lab.metric(f"{lab.device}_copy_gbps", max(beyond_l2), "GB/s")
        key = "cuda bf16" if cuda else "cpu fp32"
        lab.check_ge(f"{key}: largest matmul / smallest (throughput ratio)",
                     curves[key][-1] / curves[key][0], 2.0, "small matmuls cannot fill the cores",
                     graded=False)
        if cuda:
            for name in DTYPES:
                lab.metric(f"matmul_{name}_frac_of_peak", max(curves[f"cuda {name}"]) / roof[name])
            frac_mm = max(curves["cuda bf16"]) / roof["bf16"]
            frac_copy = max(beyond_l2) / (1e3 * roof["bandwidth"])
            lab.metric("copy_frac_of_bandwidth", frac_copy)
            with nullcontext() if card else lab.shown():  # graded on a known card only
                lab.check_ge(f"bf16 matmul TFLOP/s / {roof['card']} dense peak "
                             f"({roof['bf16']:g})", frac_mm, cfg.matmul_frac,
                             hint="the FLOPs of a matmul are 2mkn")
                lab.check_ge(f"device copy GB/s (>= 4x L2) / {roof['card']} bandwidth "
                             f"({roof['bandwidth']:g} TB/s)", frac_copy, cfg.copy_frac,
                             hint="a copy reads and writes every byte")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10.5, 4))
    ai = [0.05 * 2**i for i in range(20)]
    for dt, style in (("bf16", "k-"), ("fp32", "k:")):
        a1.loglog(ai, [min(roof[dt], x * roof["bandwidth"]) for x in ai], style, lw=1,
                  label=f"{roof['card']} {dt} roof")
    for lbl, (_, g) in placed.items():
        if g["intensity"] > 0:  # a copy (0 FLOPs) has no place on a FLOP/s axis
            a1.plot(g["intensity"], g["attainable_tflops"], "o")
            a1.annotate(lbl, (g["intensity"], g["attainable_tflops"]), fontsize=6)
    for key, ys in curves.items():
        if cuda:  # measured square matmuls at their intensity n / (1.5 itemsize)
            n_s = runs[key][1]
            a1.plot([n / (1.5 * ITEMSIZE[runs[key][0]]) for n in n_s], ys, "x--",
                    label=f"measured {key}")
        a2.loglog(runs[key][1], ys, "o-", label=key)
    a1.set(xlabel="arithmetic intensity (FLOP / byte)", ylabel="TFLOP/s",
           title="the roofline: your counts placed")
    a1.legend(fontsize=6)
    a2.set(xlabel="matmul size n", ylabel="achieved TFLOP/s", title="throughput vs size")
    a2.legend(fontsize=7)
    lab.savefig(fig, "roofline.png")
    if placed and curves and len(tiled_errs) == 2 and (not cuda or frac_copy == frac_copy):
        big, mv = placed["matmul 8192 bf16"][1], placed["matvec 8192 fp32"][1]
        gpu = (f" On the {roof['card']} your bf16 matmul ran at {max(curves['cuda bf16']):.0f} "
               f"TFLOP/s ({frac_mm:.0%} of peak) and copies at {max(beyond_l2) / 1e3:.2f} TB/s "
               f"({frac_copy:.0%} of bandwidth).") if cuda else ""
        lab.conclude(f"Your counts put an 8192 bf16 matmul at {big['intensity']:.0f} FLOP/byte, "
                     f"past the {roof['card']} ridge of {ridge:.0f} (compute-bound, "
                     f"{big['attainable_tflops']:g} TFLOP/s), and a matvec at "
                     f"{mv['intensity']:.2f} (memory-bound, {mv['attainable_tflops']:.2f} "
                     f"TFLOP/s); your tiled matmul matched A @ B to {max(tiled_errs):.0e}.{gpu}")


def main(argv: list[str] | None = None) -> int:
    return kit.run("gpu-architecture", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
