"""FlashAttention: exact attention in tiles, with an online softmax, in memory linear in T.

Standard attention builds the (T, T) score matrix S = Q K^T / sqrt(d), its softmax P and
then P V: memory grows like T^2, and on a GPU S and P make a round trip through slow
memory (HBM). FlashAttention (Dao et al. 2022) never builds S. For one block of queries
it walks over tiles of keys, keeping per query row a running max m, a running sum
l = sum exp(s - m) and an unnormalised output acc = sum exp(s - m) v. When a tile raises
the max from m to m', the old l and acc are first rescaled by exp(m - m'): the *online
softmax* (Milakov & Gimelshein 2018). At the end out = acc / l and the row's logsumexp is
m + log l (FlashAttention keeps it for the backward pass). Nothing is approximated: the
result equals softmax(S) V up to float rounding. With a causal mask, tiles that lie
wholly above the diagonal are skipped, which halves the work.

You write the online logsumexp of a row, one block at a time, and tiled attention. Checks:
logsumexp = torch.logsumexp (float64) also for scores of size 1e4, where exp overflows;
attention = F.scaled_dot_product_attention in float32 to 1e-5, causal and not, with
sequence lengths that are not multiples of the tile sizes; its logsumexp; no tensor
larger than the output and peak memory (tracked op by op) that grows linearly with T
while naive attention's grows like T^2; the causal mask skips tiles (FLOPs counted with
torch's flop_counter formulas). On a GPU the lab also times torch's fused kernel against
naive attention.

$ python labs/flash_attention.py --quick
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.flop_counter import flop_registry

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("online_logsumexp", "flash_attention")


@dataclass
class Config:
    heads: int = 2  # batch 1, two heads
    d: int = 16  # head size (smaller than block_q, so a row of scores outgrows the output)
    block_q: int = 32  # queries per tile
    block_k: int = 16  # keys per tile (unequal sizes catch tile-local causal masks)
    t_ragged: int = 200  # a length that is not a multiple of either block
    t_mem: tuple = (64, 128, 256)  # lengths for the memory-growth check (first to last: x4)
    tol: float = 1e-5  # float32 tolerance against F.scaled_dot_product_attention


def online_logsumexp(x: torch.Tensor, block: int) -> torch.Tensor:
    """log(sum(exp(x))) over the last dimension, in one pass over blocks of ``block`` columns.

    Keep a running max ``m`` (start at -inf) and a running sum ``s`` of exp(x - m); for each
    block, with its max folded into ``m_new``, rescale ``s`` by exp(m - m_new) and add the
    block's exp(x - m_new). Return ``m + log(s)``, shape ``x.shape[:-1]``, dtype of ``x``.
    No operation may read more than one block of ``x`` at a time (slices are free), and
    entries of size 1e4 must not overflow. The last block may be shorter than ``block``.
    """
    m = torch.full(x.shape[:-1], float("-inf"), dtype=x.dtype, device=x.device)
    s = torch.zeros(x.shape[:-1], dtype=x.dtype, device=x.device)
    for start in range(0, x.shape[-1], block):
        xb = x[..., start:start + block]
        m_new = torch.maximum(m, xb.amax(dim=-1))
        s = s * torch.exp(m - m_new) + torch.exp(xb - m_new[..., None]).sum(dim=-1)
        m = m_new
    return m + torch.log(s)


def flash_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False,
                    block_q: int = 32, block_k: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact softmax(q k^T / sqrt(d)) v, tile by tile with an online softmax.

    q: (B, H, Tq, d), k and v: (B, H, Tk, d), float32. For each block of ``block_q`` queries,
    walk over tiles of ``block_k`` keys keeping per row the running max, the running sum
    of exp and the unnormalised output, rescaled whenever the max grows. Compute tiles
    with matrix products (``@``, torch.matmul or torch.einsum). Never hold more than one
    (block_q, block_k) tile of scores at a time: no tensor may be larger than the output.
    ``causal`` (Tq == Tk): query i sees keys j <= i; skip tiles wholly above the diagonal.
    Lengths need not be multiples of the blocks. Returns ``(out, lse)``: out (B, H, Tq, d)
    and lse (B, H, Tq), the logsumexp of each row of scaled (masked) scores.
    """
    b, h, tq, d = q.shape
    tk = k.shape[2]
    scale = 1.0 / math.sqrt(d)
    out = torch.empty_like(q)
    lse = q.new_empty(b, h, tq)
    for qs in range(0, tq, block_q):
        qb = q[:, :, qs:qs + block_q] * scale  # (B, H, bq, d)
        rows = torch.arange(qs, qs + qb.shape[2], device=q.device)
        m = q.new_full((b, h, qb.shape[2]), float("-inf"))
        l_sum = q.new_zeros(b, h, qb.shape[2])
        acc = torch.zeros_like(qb)
        k_end = min(tk, qs + qb.shape[2]) if causal else tk  # causal: later tiles are all masked
        for ks in range(0, k_end, block_k):
            s = qb @ k[:, :, ks:ks + block_k].transpose(-2, -1)  # (B, H, bq, bk)
            if causal:
                cols = torch.arange(ks, ks + s.shape[-1], device=q.device)
                s = s.masked_fill(cols[None, :] > rows[:, None], float("-inf"))
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)
            l_sum = l_sum * alpha + p.sum(dim=-1)
            acc = acc * alpha[..., None] + p @ v[:, :, ks:ks + block_k]
            m = m_new
        out[:, :, qs:qs + block_q] = acc / l_sum[..., None]
        lse[:, :, qs:qs + block_q] = m + torch.log(l_sum)
    return out, lse


def naive_attention(q, k, v, causal=False):
    """The textbook version: the whole (Tq, Tk) score matrix at once."""
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    if causal:
        s = s.masked_fill(torch.ones_like(s, dtype=torch.bool).triu(1), float("-inf"))
    return torch.softmax(s, dim=-1) @ v


class MemoryTracker(TorchDispatchMode):
    """Op by op, what a call does: bytes of the tensors it creates that are alive (peak),
    the largest tensor it creates, the largest tensor any non-view op reads, and the FLOPs
    of its matrix products (torch's own formulas, as FlopCounterMode counts them)."""

    def __init__(self) -> None:
        super().__init__()
        self.live = self.peak = self.largest = self.widest_read = self.flops = 0
        self._refs: dict[int, weakref.ref] = {}

    @classmethod
    def _should_skip_dynamo(cls) -> bool:  # nothing is compiled here: skip importing dynamo
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func.overloadpacket in flop_registry:
            self.flops += flop_registry[func.overloadpacket](*args, **kwargs, out_val=out)
        if not func.is_view:  # slicing is free: only real reads count
            reads = [t.numel() for t in tree_flatten((args, kwargs))[0]
                     if isinstance(t, torch.Tensor)]
            self.widest_read = max([self.widest_read, *reads])
            for t in tree_flatten(out)[0]:
                if isinstance(t, torch.Tensor):
                    self._track(t)
        return out

    def _track(self, t: torch.Tensor) -> None:
        st = t.untyped_storage()
        key = id(st)
        if key in self._refs:  # in-place ops return a tensor already counted
            return
        n = st.nbytes()
        self.largest = max(self.largest, t.numel())
        self.live += n
        self.peak = max(self.peak, self.live)
        self._refs[key] = weakref.ref(st, lambda _r, key=key, n=n: self._free(key, n))

    def _free(self, key: int, n: int) -> None:
        self._refs.pop(key, None)
        self.live -= n


def tracked(fn, *args, **kwargs) -> tuple:
    """Run ``fn`` under a MemoryTracker; returns (result, tracker)."""
    with MemoryTracker() as tracker:
        result = fn(*args, **kwargs)
    return result, tracker


def qkv(t_q: int, t_k: int, cfg: Config, seed: int) -> list[torch.Tensor]:
    """Random q (1, H, t_q, d), k and v (1, H, t_k, d), float32, scaled so softmax is peaked."""
    g = torch.Generator().manual_seed(seed * 100_003 + t_q * 1000 + t_k)
    return [torch.randn(1, cfg.heads, t, cfg.d, generator=g) * 1.5 for t in (t_q, t_k, t_k)]


def body(lab: kit.Lab) -> None:
    cfg = Config(t_mem=lab.pick((64, 128, 256), (256, 512, 1024)))
    gen = torch.Generator().manual_seed(lab.seed)

    lab.section("online logsumexp, one block at a time (float64)")
    x = torch.randn(5, 1000, generator=gen, dtype=torch.float64) * 3
    x[1] = torch.linspace(-5, 40, 1000, dtype=torch.float64)  # max grows in every block
    huge = torch.randn(3, 1000, generator=gen, dtype=torch.float64)
    huge[0] += 1e4  # exp overflows
    huge[1] -= 1e4  # exp underflows to 0
    huge[2] = huge[2] * 1e4
    with lab.guard("online logsumexp runs"):
        got, tr = tracked(online_logsumexp, x, 64)
        lab.check_close("logsumexp = torch.logsumexp (1000 columns, blocks of 64)", got,
                        torch.logsumexp(x, dim=-1), rtol=1e-12,
                        hint="rescale the running sum by exp(m_old - m_new) when the max grows")
        lab.check_close("entries of size 1e4 neither overflow nor underflow",
                        online_logsumexp(huge, 64), torch.logsumexp(huge, dim=-1), rtol=1e-12,
                        hint="start the running max at -inf and subtract it before exp")
        lab.check_le("no op reads more than one block (5 rows x 64 columns)",
                     tr.widest_read, 5 * 64, hint="slice x block by block; never touch all of x")

    lab.section("tiled attention vs F.scaled_dot_product_attention (float32)")
    ratio = ratio_naive = skipped = float("nan")
    rows: list[list] = []
    errs: list[float] = []
    with lab.guard("flash attention runs"):
        t = cfg.t_ragged
        for causal, tk in ((False, t - 32), (True, t)):  # Tq != Tk; neither a block multiple
            q, k, v = qkv(t, tk, cfg, lab.seed)
            out, lse = flash_attention(q, k, v, causal, cfg.block_q, cfg.block_k)
            ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            s64 = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(cfg.d)  # oracle lse
            if causal:
                s64 = s64.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), -math.inf)
            errs.append(float((out - ref).abs().max()))
            what = "causal " if causal else ""
            lab.check_close(f"{what}out = SDPA (Tq={t}, Tk={tk}, is_causal={causal})", out, ref,
                            rtol=cfg.tol, atol=cfg.tol,
                            hint="mask by global positions (key ks + j vs query qs + i)" if causal
                            else "rescale acc by exp(m_old - m_new) as well as l")
            lab.check_close(f"{what}lse = logsumexp of the scaled{' masked' * causal} scores",
                            lse, torch.logsumexp(s64, dim=-1), rtol=cfg.tol, atol=cfg.tol,
                            hint="lse = m + log(l), with the scores scaled by 1/sqrt(d)")

        lab.section("memory: no (T, T) matrix, linear growth")
        peaks = {}
        for n in cfg.t_mem:
            q, k, v = qkv(n, n, cfg, lab.seed)
            _, tr = tracked(flash_attention, q, k, v, False, cfg.block_q, cfg.block_k)
            _, tr_naive = tracked(naive_attention, q, k, v)
            peaks[n] = (tr.peak, tr_naive.peak)
            rows.append([n, tr.peak / 1024, tr_naive.peak / 1024, tr.largest, tr_naive.largest])
        n = cfg.t_mem[-1]
        lab.check_le(f"largest tensor made or read <= output's {n * cfg.heads * cfg.d} values "
                     f"(T={n})", max(tr.largest, tr.widest_read), n * cfg.heads * cfg.d,
                     hint="hold one (block_q, block_k) tile of scores, not a row of them")
        ratio = peaks[cfg.t_mem[-1]][0] / peaks[cfg.t_mem[0]][0]
        ratio_naive = peaks[cfg.t_mem[-1]][1] / peaks[cfg.t_mem[0]][1]
        lab.check_le("peak memory grows linearly (T x4: peak <= x4.5)", ratio, 4.5,
                     hint="drop each tile once it is folded in; keep only m, l and acc")
        with lab.shown():
            lab.check_ge("naive attention's peak grows like T^2 (x4 in T: >= 12)",
                         ratio_naive, 12.0)
        lab.table("memory", ["T", "flash peak KiB", "naive peak KiB", "flash largest",
                             "naive largest"], rows, title="tracked op by op, float32")

        lab.section("causal: tiles above the diagonal are skipped")
        q, k, v = qkv(256, 256, cfg, lab.seed)
        flops = {causal: tracked(flash_attention, q, k, v, causal, cfg.block_q,
                                 cfg.block_k)[1].flops for causal in (False, True)}
        frac = flops[True] / flops[False] if flops[False] else float("nan")  # nan: no matmuls
        skipped = 1 - frac
        lab.check_le("causal FLOPs / full FLOPs (T=256; half the tiles: ~0.56)", frac, 0.65,
                     hint="end the key loop at the diagonal (and compute tiles with matmuls)")
        lab.metric("causal_flops_saved", skipped)

    lab.section("torch's fused kernel vs naive attention")
    fused_vs_naive(lab, cfg)

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    if rows:
        ts = [r[0] for r in rows]
        ax.loglog(ts, [r[1] for r in rows], "o-", label="your flash attention")
        ax.loglog(ts, [r[2] for r in rows], "s-", label="naive (T x T scores)")
        ax.set(xlabel="sequence length T", ylabel="peak memory (KiB)",
               title="tiles keep memory linear in T")
        ax.legend()
    lab.savefig(fig, "flash_attention_memory.png")
    if rows:
        lab.conclude(f"Your tiled attention matched F.scaled_dot_product_attention to "
                     f"{max(errs):.0e} (causal and not) without a T x T matrix: its "
                     f"peak memory grew x{ratio:.1f} when T grew x4 (naive: x{ratio_naive:.0f}), "
                     f"and the causal mask skipped {skipped:.0%} of the FLOPs.")


def fused_vs_naive(lab: kit.Lab, cfg: Config) -> None:
    """Shown: torch's fused SDPA against naive attention (speed and memory on a GPU)."""
    with lab.shown():
        if lab.device != "cuda":
            q, k, v = qkv(512, 512, cfg, lab.seed)
            with lab.timer() as t_naive:
                ref = naive_attention(q, k, v, causal=True)
            with lab.timer() as t_fused:
                out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            lab.check_close("fused SDPA = naive attention (CPU)", out, ref, rtol=1e-5, atol=1e-5)
            lab.metric("cpu_naive_ms", t_naive.seconds * 1e3, "ms")
            lab.metric("cpu_fused_ms", t_fused.seconds * 1e3, "ms")
            return lab.note("on CPU the fused kernel is shown for equality only; run with "
                            "--device cuda to compare its speed and memory with naive attention")
        n, heads, d = 8192, 16, 64
        g = torch.Generator(device="cuda").manual_seed(0)
        q, k, v = (torch.randn(1, heads, n, d, device="cuda", dtype=torch.float16, generator=g)
                   for _ in range(3))
        stats = {}
        for name, fn in (("naive", lambda: naive_attention(q, k, v, causal=True)),
                         ("fused", lambda: F.scaled_dot_product_attention(q, k, v,
                                                                          is_causal=True))):
            fn()  # warm up
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
            with lab.timer() as tm:
                for _ in range(5):
                    fn()
            stats[name] = (tm.seconds / 5, torch.cuda.max_memory_allocated() - base)
            lab.metric(f"cuda_{name}_ms", stats[name][0] * 1e3, "ms")
            lab.metric(f"cuda_{name}_extra_MiB", stats[name][1] / 2**20, "MiB")
        lab.check_le("fused kernel's extra memory / naive's (T=8192)",
                     stats["fused"][1] / stats["naive"][1], 0.1)
        lab.check_le("fused kernel's time / naive's (T=8192)",
                     stats["fused"][0] / stats["naive"][0], 1.0)


def main(argv: list[str] | None = None) -> int:
    return kit.run("flash-attention", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
