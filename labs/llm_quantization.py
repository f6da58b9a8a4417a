"""LLM quantization: int8 absmax and zero-point, packed group-wise int4, and GPTQ.

An LLM's weights dominate its memory and, at decode time, its speed (every weight is read
for every token), so serving stacks store them in fewer bits. *Absmax* (symmetric) int8
keeps one float scale per output row, s = max|w_row| / 127, and q = round(w / s): zero maps
to zero, but a row whose values are all positive wastes half the codes. *Zero-point*
(asymmetric) uint8 maps the row's range [lo, hi] (stretched to include 0, so 0 stays exact)
onto 0..255: s = (hi - lo) / 255, z = round(-lo / s), q = round(w / s) + z, w ~ (q - z) s.
At 4 bits one scale per row is too coarse, because one outlier stretches the grid for the
whole row; *group-wise* int4 (GPTQ, AWQ, llama.cpp's Q4) gives every group of g consecutive
input columns its own scale and zero, and packs two 4-bit codes into each byte.
Round-to-nearest (RTN) treats every weight alone. GPTQ (Frantar et al. 2022) quantizes a
layer's input columns one at a time and pushes each column's rounding error onto the
columns not yet quantized, weighted by the inverse Hessian H^-1 of the layer's squared
output error, H = X^T X over calibration inputs X; the Cholesky factor of H^-1 gives all
the updates in one pass, so it quantizes a 175B model in hours.

You write the three quantizers and GPTQ for one layer. Checks: scales, zero-points and
codes equal torch's quantization observers and ``torch.quantize_per_channel``; the int4
bytes equal torch's ``quint4x2`` packing; dequantization errors stay within half a step;
GPTQ equals Optimal Brain Quantization computed the slow way (re-inverting H on the
remaining columns at every step, float64) and lowers the layer's output error against
RTN on the same grid. Then every Linear of a small character-level GPT trained here is
quantized each way and the perplexity cost is measured.

$ python labs/llm_quantization.py --quick
"""

from __future__ import annotations

import math
import random
import warnings

import kit
import matplotlib
import torch
import torch.nn.functional as F
from torch import nn
from torch.ao.quantization.observer import PerChannelMinMaxObserver

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

warnings.filterwarnings("ignore", message=".*quantiz.*deprecated")  # torch's oracle ops
EXERCISES = ("absmax_quantize", "zeropoint_quantize", "quantize_int4_groups", "gptq_quantize")


def absmax_quantize(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 with one scale per row of w (out, in).

    scale = max |w_row| / 127 and q = round(w / scale), as ``torch.int8`` in -127..127.
    Returns ``(q, scale)``: q (out, in), scale (out,); w ~ q * scale[:, None].
    """
    scale = w.abs().amax(dim=1) / 127
    return torch.round(w / scale[:, None]).to(torch.int8), scale


def zeropoint_quantize(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Asymmetric (zero-point) uint8 with one scale and zero-point per row of w (out, in).

    The row's range is lo = min(min(w_row), 0), hi = max(max(w_row), 0) (0 is always
    inside, so it is exactly representable); scale = (hi - lo) / 255, zero_point =
    round(-lo / scale) and q = round(w / scale) + zero_point, as ``torch.uint8`` in 0..255.
    Returns ``(q, scale, zero_point)``, the last two (out,); w ~ (q - zero_point) * scale.
    """
    lo, hi = w.amin(dim=1).clamp(max=0), w.amax(dim=1).clamp(min=0)
    scale = (hi - lo) / 255
    zero = torch.round(-lo / scale)
    q = torch.round(w / scale[:, None]) + zero[:, None]
    return q.clamp(0, 255).to(torch.uint8), scale, zero


def quantize_int4_groups(w: torch.Tensor, group_size: int):
    """Group-wise asymmetric int4, two codes packed per byte.

    Each row of w (out, in) is cut into groups of ``group_size`` consecutive columns. Per
    group, as in ``zeropoint_quantize`` but with 4 bits: lo = min(min(group), 0), hi =
    max(max(group), 0), scale = (hi - lo) / 15, zero = round(-lo / scale), codes q =
    round(w / scale) + zero in 0..15. Pack column 2j into the low 4 bits and column 2j+1
    into the high 4 bits of byte j: ``packed = q[:, 0::2] | (q[:, 1::2] << 4)``.
    Returns ``(packed, scale, zero)``: packed ``torch.uint8`` (out, in // 2), scale and
    zero (out, in // group_size); unpack with the lab's ``unpack_int4``.
    """
    out_f, in_f = w.shape
    g = w.reshape(out_f, in_f // group_size, group_size)
    lo, hi = g.amin(dim=2).clamp(max=0), g.amax(dim=2).clamp(min=0)
    scale = (hi - lo) / 15
    zero = torch.round(-lo / scale)
    q = (torch.round(g / scale[..., None]) + zero[..., None]).clamp(0, 15).to(torch.uint8)
    q = q.reshape(out_f, in_f)
    return q[:, 0::2] | (q[:, 1::2] << 4), scale, zero


def gptq_quantize(W, X, scale, zero, maxq: int, damp: float = 0.01) -> torch.Tensor:
    """GPTQ for one Linear layer y = x W^T: quantize with error compensation.

    W (out, in), calibration inputs X (n, in), and a per-row grid (scale, zero (out,),
    codes 0..maxq) are float64; work in float64. H = X^T X with damp * mean(diag(H)) added
    to its diagonal. With U the upper Cholesky factor of H^-1 (H^-1 = U^T U; e.g.
    ``torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)``),
    for each column i = 0 .. in-1 in order: q = ``quantize_to_grid(W[:, i], scale, zero,
    maxq)`` (the dequantized column), e = (W[:, i] - q) / U[i, i], then update the columns
    not yet quantized, W[:, i+1:] -= outer(e, U[i, i+1:]). Do not change the caller's W.
    Returns the dequantized weights Q (out, in): column i is the q of step i.
    """
    W = W.clone()
    H = X.T @ X
    H += damp * H.diagonal().mean() * torch.eye(H.shape[0], dtype=H.dtype)
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    Q = torch.zeros_like(W)
    for i in range(W.shape[1]):
        Q[:, i] = quantize_to_grid(W[:, i], scale, zero, maxq)
        e = (W[:, i] - Q[:, i]) / U[i, i]
        W[:, i + 1:] -= torch.outer(e, U[i, i + 1:])
    return Q


# ---------------------------------------------------------------- the lab's own helpers
def quantize_to_grid(w, scale, zero, maxq: int):
    """Round-to-nearest on an asymmetric grid, dequantized: (clamp(round(w/s)+z) - z) * s."""
    return (torch.clamp(torch.round(w / scale) + zero, 0, maxq) - zero) * scale


def minmax_grid(W: torch.Tensor, bits: int):
    """The per-row asymmetric min-max grid GPTQ starts from: (scale, zero, maxq)."""
    maxq = 2**bits - 1
    lo, hi = W.amin(dim=1).clamp(max=0), W.amax(dim=1).clamp(min=0)
    scale = (hi - lo) / maxq
    return scale, torch.round(-lo / scale), maxq


def unpack_int4(packed: torch.Tensor) -> torch.Tensor:
    """Codes 0..15 (out, 2 * cols) from bytes: low nibble = even column, high = odd."""
    p = packed.to(torch.int64)
    return torch.stack([p & 15, p >> 4], dim=-1).reshape(p.shape[0], -1)


def observer(w, qmin, qmax, symmetric):
    """torch's per-row min-max observer: the oracle for scales and zero-points."""
    obs = PerChannelMinMaxObserver(
        ch_axis=0, quant_min=qmin, quant_max=qmax,
        dtype=torch.qint8 if symmetric else torch.quint8,
        qscheme=torch.per_channel_symmetric if symmetric else torch.per_channel_affine)
    obs(w.float())
    return obs.calculate_qparams()


def obq_oracle(W, X, scale, zero, maxq, damp=0.01):
    """Optimal Brain Quantization the slow way: re-invert H on the remaining columns."""
    W, n = W.clone(), W.shape[1]
    H = X.T @ X
    H += damp * H.diagonal().mean() * torch.eye(n, dtype=H.dtype)
    for i in range(n):
        hinv = torch.linalg.inv(H[i:, i:])[0]  # row of [H_F^-1] for the column quantized now
        err = W[:, i] - quantize_to_grid(W[:, i], scale, zero, maxq)
        W[:, i:] -= torch.outer(err / hinv[0], hinv)  # leaves column i on the grid
    return W


# --------------------------------------------------------- a small character-level GPT
WORDS = {"D": "the a one every no".split(), "N": "cat dog bird fox cow hen".split(),
         "V": "sees likes chases finds helps".split(), "A": "red big old small quick".split()}


def corpus(n: int, seed: int) -> str:
    rng = random.Random(seed)
    pick = lambda k: rng.choice(WORDS[k])  # noqa: E731
    return "".join(f"{pick('D')} {pick('A')} {pick('N')} {pick('V')} {pick('D')} "
                   f"{pick('N')}{rng.choice(['.', ' and', ' .'])} " for _ in range(n))


class Block(nn.Module):
    def __init__(self, d: int, heads: int = 4) -> None:
        super().__init__()
        self.h, self.ln1, self.ln2 = heads, nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = (z.view(b, t, self.h, -1).transpose(1, 2)
                   for z in self.qkv(self.ln1(x)).split(d, dim=-1))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, d))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, vocab: int, d: int = 64, layers: int = 2, ctx: int = 64) -> None:
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.blocks = nn.Sequential(*(Block(d) for _ in range(layers)))
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)

    def forward(self, x):
        h = self.tok(x) + self.pos(torch.arange(x.shape[1]))
        return self.head(self.ln(self.blocks(h)))


@kit.cached
def trained_lm(steps: int):
    """The tiny GPT, trained once on the generated corpus (fixed seed: same for all runs)."""
    torch.manual_seed(1234)
    text = corpus(4000, 1234)
    chars = sorted(set(text))
    ids = torch.tensor([chars.index(c) for c in text])
    model = GPT(len(chars))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(steps):
        start = torch.randint(0, len(ids) - 33, (16,))
        batch = torch.stack([ids[s:s + 33] for s in start])
        loss = F.cross_entropy(model(batch[:, :-1]).transpose(1, 2), batch[:, 1:])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    test, calib = ([chars.index(c) for c in corpus(n, seed)] for n, seed in ((120, 99),
                                                                              (80, 7)))
    return (model, torch.tensor(test[: len(test) // 33 * 33]).reshape(-1, 33),
            torch.tensor(calib[:16 * 32]).reshape(16, 32))


def perplexity(model: nn.Module, test: torch.Tensor, weights: dict | None = None) -> float:
    """exp(mean next-character cross-entropy) with the given Linear weights swapped in."""
    swap = {f"{n}.weight": w.float() for n, w in (weights or {}).items()}
    with torch.no_grad():
        logits = torch.func.functional_call(model, swap, (test[:, :-1],), strict=False)
    return math.exp(float(F.cross_entropy(logits.transpose(1, 2), test[:, 1:])))


def test_matrix(gen, rows: int, cols: int) -> torch.Tensor:
    """Rows of very different magnitudes, a few outliers, one all-positive row."""
    w = torch.randn(rows, cols, generator=gen) * torch.logspace(-2, 0, rows)[:, None]
    w[torch.randint(0, rows, (4,), generator=gen), torch.randint(0, cols, (4,), generator=gen)] *= 8
    w[1] = w[1].abs() + 0.05
    return w


def codes_match(lab, name, got, want, hint=""):
    """Codes equal the oracle's (a rounding tie may differ by one in a handful of places)."""
    same = got.shape == want.shape
    diff = (got.to(torch.int64) - want.to(torch.int64)).abs() if same else torch.ones(1)
    exact = float((diff == 0).double().mean())
    lab.check(name, same and int(diff.max()) <= 1 and exact >= 0.999,
              f"{tuple(want.shape)}, >= 99.9% equal", f"{tuple(got.shape)}, {exact:.2%} equal",
              hint=hint)


def body(lab: kit.Lab) -> None:
    gen = torch.Generator().manual_seed(lab.seed)
    w = test_matrix(gen, 48, 96)

    lab.section("absmax int8 (symmetric, per row)")
    with lab.guard("absmax_quantize runs"):
        q, s = absmax_quantize(w.clone())
        s_ref = observer(w, -127, 127, True)[0]
        lab.check_close("scale = torch per-channel symmetric observer (-127..127)", s, s_ref,
                        rtol=1e-6, hint="one scale per row: max|w_row| / 127")
        oracle = torch.quantize_per_channel(w, s_ref, torch.zeros(48, dtype=torch.long), 0,
                                            torch.qint8).int_repr()
        lab.check_equal("codes are torch.int8", q.dtype, torch.int8)
        codes_match(lab, "codes = torch.quantize_per_channel(qint8)", q, oracle,
                    "round to nearest (torch.round), do not truncate")
        err = (w - q.float() * s[:, None]).abs()
        lab.check_le("|w - q * scale| <= scale / 2 everywhere", float(
            (err / s[:, None]).max()), 0.5 + 1e-4)
        lab.metric("all-positive row 1: mean |error| x 1e4, absmax", 1e4 * float(err[1].mean()))

    lab.section("zero-point uint8 (asymmetric, per row)")
    with lab.guard("zeropoint_quantize runs"):
        q, s, z = zeropoint_quantize(w.clone())
        s_ref, z_ref = observer(w, 0, 255, False)
        lab.check_close("scale, zero_point = torch per-channel affine observer (0..255)",
                        torch.cat([s.float(), z.float()]), torch.cat([s_ref, z_ref.float()]),
                        rtol=1e-6, hint="stretch [min, max] to include 0 (row 1 is all "
                        "positive); zero_point = round(-lo / scale)")
        oracle = torch.quantize_per_channel(w, s_ref, z_ref, 0, torch.quint8).int_repr()
        lab.check_equal("codes are torch.uint8", q.dtype, torch.uint8)
        codes_match(lab, "codes = torch.quantize_per_channel(quint8)", q, oracle)
        err = (w - (q.float() - z.float()[:, None]) * s.float()[:, None]).abs()
        lab.check_le("|w - (q - zero_point) * scale| <= scale / 2 everywhere",
                     float((err / s.float()[:, None]).max()), 0.5 + 1e-4)
        lab.metric("all-positive row 1: mean |error| x 1e4, zero-point", 1e4 * float(err[1].mean()))

    lab.section("group-wise int4, two codes per byte")
    gs = 32
    with lab.guard("quantize_int4_groups runs"):
        packed, s, z = quantize_int4_groups(w.clone(), gs)
        s_ref, z_ref = observer(w.reshape(-1, gs), 0, 15, False)
        lab.check_close(f"scale, zero per group of {gs} = torch affine observer (0..15)",
                        torch.cat([s.reshape(-1).float(), z.reshape(-1).float()]),
                        torch.cat([s_ref, z_ref.float()]), rtol=1e-6,
                        hint="one (scale, zero) per row and group of consecutive columns, "
                        "shape (out, in // group_size)")
        codes = torch.quantize_per_channel(w.reshape(-1, gs), s_ref, z_ref, 0,
                                           torch.quint8).int_repr().reshape(48, 96)
        oracle = torch.quantize_per_tensor(codes.float(), 1.0, 0, torch.quint4x2).int_repr()
        lab.check_equal("packed: torch.uint8 (out, in // 2); scale, zero: (out, in // group)",
                        (packed.dtype, tuple(packed.shape), tuple(s.shape), tuple(z.shape)),
                        (torch.uint8, (48, 48), (48, 3), (48, 3)))
        codes_match(lab, "packed bytes = torch quint4x2 packing of the observer's codes",
                    packed, oracle.reshape(48, 48), "column 2j in the low 4 bits")
        deq = ((unpack_int4(packed).reshape(48, -1, gs) - z[..., None]) * s[..., None])
        err = (w - deq.reshape(48, 96)).abs().reshape(48, -1, gs) / s[..., None]
        lab.check_le("|w - dequantized| <= scale / 2 everywhere", float(err.max()), 0.5 + 1e-4)
        bits = 8 * packed.numel() + 16 * s.numel() + 4 * z.numel()
        lab.metric("int4 g32 bits per weight (fp16 scales, 4-bit zeros)", bits / w.numel())

    lab.section("GPTQ on one layer against OBQ and round-to-nearest")
    mix = torch.randn(64, 64, generator=gen, dtype=torch.float64) * torch.logspace(
        0, -1.5, 64, dtype=torch.float64)  # correlated, ill-conditioned inputs
    X, X_test = (torch.randn(n, 64, generator=gen, dtype=torch.float64) @ mix for n in (
        512, 512))
    W = torch.randn(48, 64, generator=gen, dtype=torch.float64)
    scale, zero, maxq = minmax_grid(W, 3)
    rtn = quantize_to_grid(W, scale[:, None], zero[:, None], maxq)
    W_before = W.clone()
    rel = {}
    with lab.guard("gptq_quantize runs"):
        Q = gptq_quantize(W, X, scale, zero, maxq)
        lab.check_equal("the caller's W is left unchanged", bool(torch.equal(W, W_before)), True,
                        hint="clone W before updating its columns")
        W = W_before
        lab.check_close("Q = Optimal Brain Quantization re-inverting H each step (float64)",
                        Q, obq_oracle(W, X, scale, zero, maxq), rtol=1e-7, atol=1e-9,
                        hint="e = (w - q) / U[i, i]; update only the columns after i")
        on_grid = quantize_to_grid(Q, scale[:, None], zero[:, None], maxq)
        lab.check_close("every entry of Q is on the 3-bit grid", Q, on_grid, rtol=1e-9,
                        atol=1e-9, hint="return the quantized columns, not the updated W")
        for name, x in (("calibration", X), ("held-out", X_test)):
            ref = x @ W.T
            rel[name] = [float((x @ m.T - ref).norm() / ref.norm()) for m in (rtn, Q)]
        lab.check_le("calibration output error: GPTQ / RTN", rel["calibration"][1]
                     / rel["calibration"][0], 0.8, hint="the rounding error must be pushed "
                     "onto the columns not yet quantized")
        lab.check_le("held-out output error: GPTQ / RTN", rel["held-out"][1]
                     / rel["held-out"][0], 0.9)
    perplexity_cost(lab, rel)


def perplexity_cost(lab: kit.Lab, rel: dict) -> None:
    """Quantize every Linear of the trained GPT each way; perplexity on held-out text."""
    lab.section("perplexity cost on a small trained character-level GPT")
    model, test, calib_ids = trained_lm(lab.pick(250, 500))
    layers = {n: m for n, m in model.named_modules() if isinstance(m, nn.Linear)}
    calib: dict[str, list] = {n: [] for n in layers}
    hooks = [m.register_forward_hook(lambda m, i, o, n=n: calib[n].append(
        i[0].reshape(-1, i[0].shape[-1]).double())) for n, m in layers.items()]
    with torch.no_grad():  # calibration: 16 sequences of generated text, not the test set
        model(calib_ids)
    for h in hooks:
        h.remove()

    def absmax(w, n):
        q, s = absmax_quantize(w)
        return q.float() * s.float()[:, None]

    def zeropoint(w, n):
        q, s, z = zeropoint_quantize(w)
        return (q.float() - z.float()[:, None]) * s.float()[:, None]

    def int4_g16(w, n):
        p, s, z = quantize_int4_groups(w, 16)
        return ((unpack_int4(p).reshape(len(w), -1, 16) - z[..., None]) * s[..., None]
                ).reshape(w.shape)

    def per_row(bits, gptq=False):
        def quantize(w, n):
            s, z, mq = minmax_grid(w.double(), bits)
            return (gptq_quantize(w.double(), torch.cat(calib[n]), s, z, mq) if gptq else
                    quantize_to_grid(w.double(), s[:, None], z[:, None], mq))
        return quantize

    schemes = [("fp32", 32, None), ("int8 absmax", 8, absmax), ("int8 zero-point", 8, zeropoint),
               ("int4 RTN per row", 4, per_row(4)), ("int4 groups of 16", 4, int4_g16),
               ("int3 RTN per row", 3, per_row(3)), ("int3 GPTQ per row", 3, per_row(3, True))]
    ppl, sq_err = {}, {}
    with lab.guard("perplexity runs"):
        for name, _, fn in schemes:
            weights = None if fn is None else {n: fn(m.weight.data.clone(), n).float()
                                               for n, m in layers.items()}
            ppl[name] = perplexity(model, test, weights)
            if weights:
                sq_err[name] = sum(float((weights[n] - m.weight.data).pow(2).sum())
                                   for n, m in layers.items())
        rows = [[name, bits, ppl[name], 100 * (ppl[name] / ppl["fp32"] - 1)]
                for name, bits, _ in schemes]
        lab.table("perplexity", ["weights", "bits", "perplexity", "cost %"], rows,
                  title=f"held-out perplexity, {sum(m.weight.numel() for m in layers.values())}"
                        " Linear weights quantized")
        for name in ("int8 absmax", "int8 zero-point", "int4 groups of 16"):
            lab.check_le(f"{name}: perplexity / fp32's", ppl[name] / ppl["fp32"], 1.01)
        lab.check_le("squared weight error: int4 groups of 16 / int4 per row",
                     sq_err["int4 groups of 16"] / sq_err["int4 RTN per row"], 0.8)
        cost = {k: 100 * (v / ppl["fp32"] - 1) for k, v in ppl.items()}
        lab.note("this small model has no outlier features, so at 4 bits both costs are "
                 "within noise; the squared weight error shows what groups buy")
        lab.check_le("int3 per row: perplexity cost of GPTQ / of RTN", cost["int3 GPTQ per row"]
                     / cost["int3 RTN per row"], 0.7)
    if len(ppl) < len(schemes) or len(rel) < 2:
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax1.barh([r[0] for r in rows[1:]][::-1], [r[3] for r in rows[1:]][::-1],
             color=["tab:green", "tab:red", "tab:purple", "tab:red", "tab:blue", "tab:blue"])
    ax1.set(xlabel="perplexity cost vs fp32 (%)", title=f"all {len(layers)} Linear layers")
    ax2.bar(["RTN\ncalibration", "GPTQ\ncalibration", "RTN\nheld-out", "GPTQ\nheld-out"],
            rel["calibration"] + rel["held-out"], color=["tab:red", "tab:green"] * 2)
    ax2.set(ylabel="relative output error", title="one layer, 3-bit per-row grid")
    lab.savefig(fig, "llm_quantization.png")
    lab.conclude(
        f"On a GPT of perplexity {ppl['fp32']:.3f}, your int8 quantizers cost "
        f"{cost['int8 absmax']:.2f}% (absmax) and {cost['int8 zero-point']:.2f}% (zero-point); "
        f"at 4 bits your groups of 16 cost {cost['int4 groups of 16']:.2f}% with "
        f"{sq_err['int4 RTN per row'] / sq_err['int4 groups of 16']:.1f}x less squared weight "
        f"error than one scale per row; at 3 bits "
        f"round-to-nearest per row cost {cost['int3 RTN per row']:.1f}% and your GPTQ cut that "
        f"to {cost['int3 GPTQ per row']:.1f}%; on one 3-bit layer GPTQ's output error was "
        f"{rel['held-out'][0] / rel['held-out'][1]:.1f}x lower than RTN's on held-out inputs.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("llm-quantization", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
