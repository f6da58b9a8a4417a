"""KV-cache inference: prefill, decode, and why decoding is memory-bound.

A decoder LM generates one token per forward pass. Recomputing the whole sequence each
time costs O(T^2); instead each layer caches the keys and values of past tokens (the KV
cache). Inference then has two phases. *Prefill* runs the prompt's T tokens at once,
filling the cache: big matrix products, many FLOPs per byte of weights read. *Decode*
runs one new token per sequence against the cache: every weight matrix is read from
memory to do just 2 FLOPs per weight per sequence, plus the whole cache is read. The
ratio FLOPs / bytes is the *arithmetic intensity*; a GPU needs about peak FLOP/s / memory
bandwidth (about 200 FLOP/byte on an H100 or H200 in bf16) to be compute-bound. Decode at
batch 1 is near 1 FLOP/byte: memory-bound, so a step costs about the same for 1 sequence
as for 64, and batching multiplies tokens/s almost for free until intensity nears the
ridge. The cached result must be *exactly* the full recompute: a query at position p
attends to keys 0..p, and the positions of new tokens continue after the cache.

You write attention with a KV cache, greedy generation (one prefill, then one token per
step) and the FLOP and byte count of a forward pass. Checks: cached attention = torch's
F.scaled_dot_product_attention with an offset causal mask; prefill, chunked prefill and
every decode step's logits = the full forward pass (float32); the model sees each token
once; FLOPs = torch's flop_counter formulas op by op, bytes = the weights and cache
tensors actually touched. Then tokens/s against batch size is measured here and
predicted for a 7B model on an H200 from your counts.

$ python labs/kv_cache_inference.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("cached_attention", "generate", "phase_cost")


@dataclass
class Config:
    vocab: int = 96  # token ids
    d_model: int = 64  # width of the residual stream
    n_heads: int = 4  # head size 16
    n_layers: int = 2  # Transformer blocks
    d_ff: int = 256  # MLP hidden width (two matrices, GELU)
    max_len: int = 256  # learned positions
    prompt: int = 12  # prompt tokens
    new_tokens: int = 16  # tokens generated per sequence
    tol: float = 1e-5  # float32 tolerance, cached vs full forward


def cached_attention(q, k_new, v_new, k_cache, v_cache):
    """Causal attention of T new tokens against the cache plus themselves.

    q, k_new, v_new: (B, H, T, dh) for the tokens at positions P .. P+T-1; k_cache,
    v_cache: (B, H, P, dh) for positions 0 .. P-1 (P may be 0). Query i (position P+i)
    attends to keys 0 .. P+i, with scores scaled by 1/sqrt(dh). Returns
    ``(out, k_all, v_all)``: out (B, H, T, dh) and the cache for the next call,
    k_all = v_all-shaped (B, H, P+T, dh), the past followed by the new.
    """
    k_all = torch.cat([k_cache, k_new], dim=2)
    v_all = torch.cat([v_cache, v_new], dim=2)
    p, t = k_cache.shape[2], q.shape[2]
    scores = q @ k_all.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, T, P+T)
    mask = torch.ones(t, p + t, dtype=torch.bool, device=q.device).tril(diagonal=p)
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v_all, k_all, v_all


def generate(model, prompt: torch.Tensor, n_new: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Greedy generation with a KV cache: one prefill, then one token per step.

    ``model(tokens, cache, start_pos)`` runs tokens (B, T) at positions start_pos ..
    start_pos+T-1 and returns ``(logits (B, T, V), new_cache)``; ``model.empty_cache(B)``
    is the cache to start from. Feed the prompt (B, T0) once, then each new token alone.
    Returns ``(tokens, step_logits)``: the n_new chosen ids (B, n_new) and the logits each
    was chosen from (B, n_new, V), argmax = the token.
    """
    logits, cache = model(prompt, model.empty_cache(prompt.shape[0]), 0)
    tokens, steps = [], []
    for i in range(n_new):
        steps.append(logits[:, -1])
        tokens.append(steps[-1].argmax(dim=-1))
        if i + 1 < n_new:
            logits, cache = model(tokens[-1][:, None], cache, prompt.shape[1] + i)
    return torch.stack(tokens, dim=1), torch.stack(steps, dim=1)


def phase_cost(cfg: Config, batch: int, n_past: int, n_new: int,
               bytes_per_value: int = 2) -> dict:
    """FLOPs, bytes and arithmetic intensity of one forward pass of the lab's model.

    ``batch`` sequences each run ``n_new`` new tokens with ``n_past`` tokens already cached
    (prefill: n_past = 0; decode: n_new = 1). FLOPs = 2 per multiply-add of every matrix
    product: the Linear layers of each of the ``cfg.n_layers`` blocks (q, k, v and output
    projections, d_model x d_model each; the MLP's d_model x d_ff and d_ff x d_model) and
    the LM head (d_model x vocab), for every new token; plus attention's QK^T and PV, each
    new query against all n_past + n_new keys (no causal saving). Softmax, norms,
    activations and embeddings are not counted. Bytes: every Linear weight read once, plus
    K and V of all n_past + n_new positions in every layer read once, each value
    ``bytes_per_value`` bytes. Returns ``{"flops", "bytes", "intensity"}`` (intensity =
    flops / bytes).
    """
    d, tokens = cfg.d_model, batch * n_new
    weights = cfg.n_layers * (4 * d * d + 2 * d * cfg.d_ff) + d * cfg.vocab
    attn = cfg.n_layers * 2 * 2 * tokens * (n_past + n_new) * d
    flops = 2 * tokens * weights + attn
    kv = cfg.n_layers * 2 * batch * (n_past + n_new) * d
    nbytes = (weights + kv) * bytes_per_value
    return {"flops": flops, "bytes": nbytes, "intensity": flops / nbytes}


class Block(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        d, self.h = cfg.d_model, cfg.n_heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d, bias=False)  # q, k and v projections, fused
        self.proj = nn.Linear(d, d, bias=False)
        self.fc, self.out = nn.Linear(d, cfg.d_ff, bias=False), nn.Linear(cfg.d_ff, d, bias=False)

    def forward(self, x, layer_cache, attend):
        b, t, d = x.shape
        q, k, v = (z.view(b, t, self.h, d // self.h).transpose(1, 2)  # (B, H, T, dh)
                   for z in self.qkv(self.ln1(x)).split(d, dim=-1))
        if layer_cache is None:  # the oracle: full causal forward, no cache
            a, new = F.scaled_dot_product_attention(q, k, v, is_causal=True), None
        else:
            a, *new = attend(q, k, v, *layer_cache)
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, d))
        return x + self.out(F.gelu(self.fc(self.ln2(x)))), new


class TinyGPT(nn.Module):
    """A GPT-2-style decoder. ``model(tokens)``: full causal forward (SDPA), logits only.
    ``model(tokens, cache, start_pos)``: through ``cached_attention``; (logits, cache)."""

    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok, self.pos = nn.Embedding(cfg.vocab, cfg.d_model), nn.Embedding(cfg.max_len,
                                                                              cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln_f, self.head = nn.LayerNorm(cfg.d_model), nn.Linear(cfg.d_model, cfg.vocab,
                                                                     bias=False)
        self.tokens_seen = 0  # tokens run through the model, counted to catch recomputation

    def empty_cache(self, batch: int) -> list:
        dev, dh = self.head.weight.device, self.cfg.d_model // self.cfg.n_heads
        z = torch.zeros(batch, self.cfg.n_heads, 0, dh, device=dev)
        return [(z, z) for _ in self.blocks]

    def forward(self, tokens, cache=None, start_pos=0, attend=None):
        self.tokens_seen += tokens.numel()
        pos = torch.arange(start_pos, start_pos + tokens.shape[1], device=tokens.device)
        x = self.tok(tokens) + self.pos(pos)
        attend = attend or cached_attention  # looked up now: the learner's in exercise mode
        new_cache = []
        for i, block in enumerate(self.blocks):
            x, new = block(x, None if cache is None else cache[i], attend)
            new_cache.append(new)
        logits = self.head(self.ln_f(x))
        return logits if cache is None else (logits, new_cache)


def counting_attention(q, k_new, v_new, k_cache, v_cache):
    """Plain matmul attention (CPU SDPA reports no FLOPs) so the counter sees QK^T and PV."""
    k, v = torch.cat([k_cache, k_new], 2), torch.cat([v_cache, v_new], 2)
    p, t = k_cache.shape[2], q.shape[2]
    s = (q @ k.transpose(-2, -1)).masked_fill(~torch.ones(t, p + t, dtype=torch.bool).tril(p),
                                              -math.inf)
    return torch.softmax(s / math.sqrt(q.shape[-1]), -1) @ v, k, v


class FlopCount(TorchDispatchMode):
    """FLOPs of every op torch's flop_counter has a formula for (matmuls), op by op."""

    flops = 0

    @classmethod
    def _should_skip_dynamo(cls) -> bool:  # nothing is compiled here: skip importing dynamo
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func.overloadpacket in flop_registry:
            self.flops += flop_registry[func.overloadpacket](*args, **(kwargs or {}),
                                                             out_val=out)
        return out


def measured_cost(model: TinyGPT, batch: int, n_past: int, n_new: int, bpv: int) -> dict:
    """The oracle for phase_cost: count FLOPs op by op and bytes from the tensors touched."""
    cfg, dh = model.cfg, model.cfg.d_model // model.cfg.n_heads
    cache = [(torch.randn(batch, cfg.n_heads, n_past, dh),) * 2 for _ in model.blocks]
    with torch.no_grad(), FlopCount() as fc:
        _, new = model(torch.zeros(batch, n_new, dtype=torch.long), cache, n_past,
                       attend=counting_attention)
    weights = sum(m.weight.numel() for m in model.modules() if isinstance(m, nn.Linear))
    kv = sum(k.numel() + v.numel() for k, v in new)
    return {"flops": fc.flops, "bytes": (weights + kv) * bpv,
            "intensity": fc.flops / ((weights + kv) * bpv)}


def body(lab: kit.Lab) -> None:
    cfg = Config()
    gen = torch.Generator().manual_seed(lab.seed)
    model = TinyGPT(cfg).eval()
    prompt = torch.randint(0, cfg.vocab, (3, cfg.prompt), generator=gen)
    err = float("nan")

    lab.section("cached attention vs SDPA with an offset causal mask")
    with lab.guard("cached_attention runs"), torch.no_grad():
        q, kn, vn = (torch.randn(2, 4, 5, 16, generator=gen) for _ in range(3))
        kc, vc = (torch.randn(2, 4, 7, 16, generator=gen) for _ in range(2))
        out, k_all, v_all = cached_attention(q, kn, vn, kc, vc)
        mask = torch.ones(5, 12, dtype=torch.bool).tril(7)  # query i sees keys <= 7 + i
        ref = F.scaled_dot_product_attention(q, torch.cat([kc, kn], 2), torch.cat([vc, vn], 2),
                                             attn_mask=mask)
        lab.check_close("5 new queries after 7 cached: out = SDPA(offset causal mask)", out,
                        ref, rtol=cfg.tol, atol=cfg.tol,
                        hint="query i is at position P + i: mask keys > P + i, not > i")
        lab.check_equal("returned cache = past keys/values followed by the new ones",
                        bool(torch.equal(k_all, torch.cat([kc, kn], 2))
                             and torch.equal(v_all, torch.cat([vc, vn], 2))), True,
                        hint="concatenate along the time dimension (dim 2), past first")
        full = model(prompt)  # oracle: one causal forward, no cache
        pre, cache = model(prompt, model.empty_cache(3), 0)
        lab.check_close("prefill through the cache = full forward", pre, full, rtol=cfg.tol,
                        atol=cfg.tol, hint="the prompt's tokens must not see later ones")
        a, cache = model(prompt[:, :7], model.empty_cache(3), 0)
        b, cache = model(prompt[:, 7:], cache, 7)
        lab.check_close("chunked prefill (7 tokens, then 5) = full forward",
                        torch.cat([a, b], 1), full, rtol=cfg.tol, atol=cfg.tol)

    lab.section("greedy generation: prefill once, then one token per step")
    with lab.guard("generate runs"), torch.no_grad():
        model.tokens_seen = 0
        tokens, steps = generate(model, prompt, cfg.new_tokens)
        seen = model.tokens_seen
        seq = torch.cat([prompt, tokens], 1)
        full = model(seq[:, :-1])[:, cfg.prompt - 1:]  # oracle: recompute every position
        err = float((steps - full).abs().max())
        lab.check_close(f"all {cfg.new_tokens} steps' logits = full recompute", steps, full,
                        rtol=cfg.tol, atol=cfg.tol,
                        hint="new token i sits at position len(prompt) + i - 1 ... check "
                             "start_pos, and carry the returned cache forward")
        best = full.gather(-1, tokens[..., None])[..., 0]
        lab.check_equal("every token is the full recompute's argmax (ties within 1e-4)",
                        int((best < full.amax(-1) - 1e-4).sum()), 0)
        lab.check_equal("each token ran through the model once: B * (T0 + n_new - 1)", seen,
                        3 * (cfg.prompt + cfg.new_tokens - 1),
                        hint="after the prefill feed only the newest token, with the cache")

    lab.section("FLOPs and bytes: your count vs op-by-op measurement")
    rows = []
    with lab.guard("phase_cost runs"):
        for name, (b, past, new, bpv) in {"prefill": (1, 0, 128, 2), "decode": (8, 200, 1, 2),
                                          "chunked prefill": (2, 64, 16, 4)}.items():
            got = phase_cost(cfg, b, past, new, bpv)
            ref = measured_cost(model, b, past, new, bpv)
            lab.check_close(f"{name} (batch {b}, past {past}, new {new}, {bpv} bytes/value): "
                            "flops, bytes, intensity", [got[k] for k in ref], list(ref.values()),
                            rtol=1e-9, hint="2 FLOPs per multiply-add; attention sees past + "
                            "new keys")
            rows.append([name, b, past, new, bpv, got["flops"], got["bytes"], got["intensity"]])
        lab.table("cost", ["phase", "batch", "past", "new", "bytes/value", "FLOPs", "bytes",
                           "FLOP/byte"], rows, title="the lab's model")
    roofline(lab, cfg, model, gen, err)


def roofline(lab: kit.Lab, cfg: Config, model: TinyGPT, gen, err: float) -> None:
    """Predicted (a 6.6B GPT on an H200, from your counts) and measured decode tokens/s."""
    lab.section("decode tokens/s against batch size")
    big = Config(vocab=32000, d_model=4096, n_heads=32, n_layers=32, d_ff=16384)  # ~6.6B
    peak, bw = 989e12, 4.8e12  # H200: dense bf16 FLOP/s, HBM bytes/s; ridge ~206 FLOP/byte
    batches, contexts = [1, 4, 16, 64, 256, 1024], (128, 2048)
    pred: list[list] = []
    measured: list[float] = []
    with lab.guard("roofline runs"):
        for b in batches:
            row: list = [b]
            for ctx in contexts:
                c = phase_cost(big, b, ctx, 1)
                step = max(c["flops"] / peak, c["bytes"] / bw)  # roofline time of one step
                row += [c["intensity"], b / step]
            pred.append([*row, 2 * big.n_layers * b * 2048 * big.d_model * 2 / 1e9])
        lab.table("roofline", ["batch", "FLOP/B ctx 128", "tok/s ctx 128", "FLOP/B ctx 2048",
                               "tok/s ctx 2048", "KV GB ctx 2048"], pred,
                  title="decode, ~6.6B GPT, bf16, H200 roofline (ridge 206 FLOP/byte; "
                        "141 GB: large batches with long contexts do not fit)")
        pre = phase_cost(big, 1, 0, 2048)["intensity"]
        lab.metric("prefill_2048_tokens_intensity", pre, "FLOP/byte")
        m = model.to(lab.torch_device)
        for b in batches[:4]:
            p = torch.randint(0, cfg.vocab, (b, cfg.prompt), generator=gen).to(lab.torch_device)
            best = math.inf
            for _ in range(3):  # best of three: timing on a shared machine
                with torch.no_grad(), lab.timer() as t:
                    generate(m, p, cfg.new_tokens)
                best = min(best, t.seconds)
            measured.append(b * cfg.new_tokens / best)
            lab.metric(f"measured_tokens_per_s_batch_{b}", measured[-1], "tok/s")
        with lab.shown():
            lab.check_ge("measured: tokens/s at batch 64 / at batch 1 (a step costs about "
                         "the same)", measured[3] / measured[0], 4.0)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    if len(measured) == 4:
        ax1.loglog(batches[:4], measured, "o-")
        ax1.set(xlabel="batch size", ylabel="decode tokens/s",
                title=f"tiny model, measured here ({lab.device})")
        for i, ctx in enumerate(contexts):
            ax2.loglog(batches, [r[1 + 2 * i] for r in pred], "s-", label=f"{ctx} cached")
        ax2.axhline(peak / bw, color="k", ls="--", lw=0.8, label="H200 ridge")
        ax2.axhline(pre, color="tab:red", ls=":", lw=1, label="prefill, 2048 tokens")
        ax2.set(xlabel="batch size", ylabel="FLOP / byte", title="6.6B decode: below the ridge")
        ax2.legend(fontsize=8)
        lab.conclude(f"Your cached decoding matched the full recompute to {err:.0e}; by your "
                     f"counts decode does {pred[0][1]:.1f} FLOP/byte at batch 1 against "
                     f"{pre:.0f} for a 2048-token prefill, batch 256 lifts it to "
                     f"{pred[4][1]:.0f} with 128 cached tokens but only {pred[4][3]:.0f} with "
                     f"2048 (the KV cache is read once per sequence); up to batch 1024 decode "
                     f"peaks at {max(r[1] for r in pred):.0f} against an H200's ridge of "
                     f"{peak / bw:.0f}; here batch 64 gave {measured[3] / measured[0]:.0f}x "
                     f"the tokens/s of batch 1.")
    lab.savefig(fig, "kv_cache_inference.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("kv-cache-inference", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
