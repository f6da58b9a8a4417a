"""Mixed precision training: autocast (bf16/fp16), GradScaler, loss parity, speed and memory.

Tensor cores multiply bf16/fp16 matrices many times faster than fp32, and half-width
activations halve the memory they take. ``torch.autocast`` runs each op in the precision
that suits it (matmuls in bf16/fp16, reductions and norms in fp32) while the weights and
the optimizer stay in fp32. fp16 has a small range, so small gradients underflow: a
GradScaler multiplies the loss by a scale S before backward, divides the gradients by S
before the optimizer step, skips the step and multiplies S by ``backoff_factor`` (0.5)
when a gradient is inf/NaN, and multiplies S by ``growth_factor`` (2) after
``growth_interval`` clean steps in a row. bf16 has fp32's range and needs no scaler.

This lab trains the same small GPT-style transformer from the same initial weights on the
same batches (a token permutation with 30% random targets, so the loss cannot reach 0) in
strict fp32, TF32 (GPU), bf16 and fp16 autocast with your training step, and checks that
it really ran in half precision, that the AMP losses stay within 1 % of fp32's, that one
fp16 step through the scaler moves SGD's weights as an fp32 step does, that an injected inf
is skipped and the scale backs off and grows; it replays GradScaler's scale rule with your
update rule. On a GPU it measures step time and peak memory: bf16 must use less memory, and
on a card in labs/data/gpu_peaks/peaks.json the bf16 step must be >= 4x faster than strict
fp32 and >= 1.6x faster than TF32 (elsewhere those figures are shown, not graded).

$ python labs/mixed_precision.py --quick
"""

from __future__ import annotations

import copy
import json
import math
import re
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("amp_train_step", "update_loss_scale")
PEAKS = Path(__file__).resolve().parent / "data" / "gpu_peaks" / "peaks.json"


@dataclass
class Config:
    d_model: int = 2048  # width; large enough that matmuls dominate on an H100
    n_layers: int = 4  # transformer blocks
    n_heads: int = 16  # head dim 128, what flash attention likes
    vocab: int = 1024  # tokens; the target is a fixed permutation of the input token
    batch: int = 8  # sequences per step
    seq: int = 1024  # tokens per sequence: batch*seq = 8192 tokens, compute bound
    steps: int = 40  # training steps per precision mode
    warmup: int = 5  # steps not timed (allocator, cuBLAS heuristics, autotuning)
    lr: float = 3e-4  # AdamW learning rate
    label_noise: float = 0.3  # share of random targets: the loss floor (~2.7 nats at vocab
    #                           1024) stays far from 0, so parity is tested where it matters
    loss_rel: float = 0.01  # |AMP final loss - fp32's| / fp32's (mean of the last 5 steps)
    vs_fp32: float = 4.0  # bf16 step speed-up over strict fp32 on a known card ...
    vs_tf32: float = 1.6  # ... and over TF32


class Block(nn.Module):
    """Pre-norm transformer block: causal self-attention then an MLP."""

    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, T, d)
        B, T, d = x.shape
        qkv = self.qkv(self.ln1(x)).view(B, T, 3, self.heads, d // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, heads, T, d/heads)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, heads, T, d/heads)
        x = x + self.proj(a.transpose(1, 2).reshape(B, T, d))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.tok = nn.Embedding(cfg.vocab, cfg.d_model)
        self.pos = nn.Parameter(0.02 * torch.randn(cfg.seq, cfg.d_model))
        self.blocks = nn.Sequential(*[Block(cfg.d_model, cfg.n_heads) for _ in range(cfg.n_layers)])
        self.ln = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:  # (B, T) -> (B, T, vocab)
        x = self.tok(idx) + self.pos[: idx.shape[1]]
        return self.head(self.ln(self.blocks(x)))


def amp_train_step(model, opt, scaler, x, y, dtype) -> torch.Tensor:
    """One training step; ``dtype`` None = plain fp32, else autocast to bf16/fp16.

    Zero the gradients; run forward and loss (cross-entropy over the (B, T, vocab) logits
    against ``y``) under ``torch.autocast`` on ``x``'s device type; backward the loss scaled
    by ``scaler``; step the optimizer through the scaler (it unscales, and skips the step on
    inf/NaN gradients); update the scaler's scale. The same code serves every mode: a
    disabled scaler (bf16, fp32) scales by 1. Return the unscaled loss as a detached tensor
    (no .item(): that would sync the GPU every step).
    """
    opt.zero_grad(set_to_none=True)
    with torch.autocast(device_type=x.device.type, dtype=dtype or torch.float32,
                        enabled=dtype is not None):
        logits = model(x)  # (B, T, vocab) in bf16/fp16 under autocast
        loss = F.cross_entropy(logits.float().flatten(0, 1), y.flatten())  # fp32 softmax
    scaler.scale(loss).backward()  # gradients of S * loss
    scaler.step(opt)  # unscale; skip the step if any grad is inf/NaN
    scaler.update()  # halve S after a skip, double it after growth_interval clean steps
    return loss.detach()


def update_loss_scale(scale: float, tracker: int, found_inf: bool, growth_factor: float,
                      backoff_factor: float, growth_interval: int) -> tuple[float, int]:
    """GradScaler's dynamic loss-scale rule after one step; returns (new scale, new tracker).

    ``tracker`` counts the clean steps in a row so far. An inf/NaN step multiplies the scale
    by ``backoff_factor`` and resets the tracker to 0; a clean step adds 1 to it, and when it
    reaches ``growth_interval`` the scale is multiplied by ``growth_factor`` and the tracker
    goes back to 0.
    """
    if found_inf:
        return scale * backoff_factor, 0
    tracker += 1
    if tracker == growth_interval:
        return scale * growth_factor, 0
    return scale, tracker


def set_tf32(enabled: bool) -> None:
    """TF32 for fp32 matmuls on/off, with the new API where torch has it (never mix both)."""
    if hasattr(torch.backends.cuda.matmul, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "tf32" if enabled else "ieee"
        torch.backends.cudnn.fp32_precision = "tf32" if enabled else "ieee"
    else:
        torch.backends.cuda.matmul.allow_tf32 = enabled
        torch.backends.cudnn.allow_tf32 = enabled


def train(lab, cfg, base, mode, dtype, use_scaler) -> dict:
    """Train a copy of ``base`` for cfg.steps on the same batches; time, peak memory, losses."""
    dev, cuda = lab.torch_device, lab.device == "cuda"
    model = copy.deepcopy(base)  # same initial weights in every mode
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, fused=cuda)
    scaler = torch.amp.GradScaler(lab.device, init_scale=2.0**12, enabled=use_scaler)
    if cuda:
        set_tf32(mode == "tf32")
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    perm = torch.randperm(cfg.vocab, generator=torch.Generator().manual_seed(lab.seed)).to(dev)
    gen = torch.Generator(device=dev).manual_seed(lab.seed)  # same batches in every mode

    def step() -> torch.Tensor:
        x = torch.randint(cfg.vocab, (cfg.batch, cfg.seq), device=dev, generator=gen)
        noisy = torch.rand(x.shape, device=dev, generator=gen) < cfg.label_noise
        y = torch.where(noisy, torch.randint(cfg.vocab, x.shape, device=dev, generator=gen),
                        perm[x])
        return amp_train_step(model, opt, scaler, x, y, dtype)

    out = {"mode": mode, "losses": None, "step_s": float("nan"), "peak_mem": float("nan")}
    with lab.guard(f"amp_train_step runs ({mode})"):
        losses = [step() for _ in range(cfg.warmup)]
        with lab.timer() as t:  # syncs CUDA at both ends: time only the steady state
            losses += [step() for _ in range(cfg.steps - cfg.warmup)]
        out["losses"] = torch.stack(losses).float().cpu()
        out["step_s"] = t.seconds / (cfg.steps - cfg.warmup)
    if cuda:
        out["peak_mem"] = torch.cuda.max_memory_allocated()
        set_tf32(False)
    return out


def find_card(name: str) -> dict | None:
    """The data-sheet entry of peaks.json whose pattern matches a device name (first wins)."""
    return next((c for c in json.loads(PEAKS.read_text())["cards"]
                 if re.search(c["match"], name)), None)


def check_scaler(lab) -> None:
    """Your step in half precision and through GradScaler; your scale rule vs GradScaler's."""
    dev = lab.torch_device
    small = Config(d_model=32, n_layers=1, n_heads=4, vocab=32, batch=4, seq=16)
    x = torch.randint(small.vocab, (small.batch, small.seq), device=dev)
    y = (x * 7 + 3) % small.vocab
    torch.manual_seed(lab.seed)
    base = TinyGPT(small).to(dev)

    def setup(interval: int, init_scale: float = 256.0, sgd: bool = False, **kw):
        model = copy.deepcopy(base)
        opt = torch.optim.SGD(model.parameters(), lr=0.1) if sgd else \
            torch.optim.AdamW(model.parameters(), lr=1e-3)
        return model, list(model.parameters()), opt, torch.amp.GradScaler(
            lab.device, init_scale=init_scale, growth_interval=interval, **kw)

    def poison(model):  # every gradient of the head's weight becomes inf
        return model.head.weight.register_hook(lambda g: torch.full_like(g, float("inf")))

    with lab.guard("amp_train_step runs (autocast, fp16 + GradScaler)"):
        seen, (model, params, opt, scaler) = [], setup(2000)  # the head matmul's dtype
        hook = model.head.register_forward_hook(lambda m, i, o: seen.append(str(o.dtype)))
        for dt in (torch.bfloat16, torch.float16, None):
            amp_train_step(model, opt, torch.amp.GradScaler(lab.device, enabled=False), x, y, dt)
        hook.remove()
        lab.check_equal("autocast: the head's matmul ran in (bf16, fp16, fp32)", seen,
                        ["torch.bfloat16", "torch.float16", "torch.float32"],
                        hint="run the forward pass inside torch.autocast(..., dtype=dtype)")
        model, params, opt, scaler = setup(2000, init_scale=1024.0, sgd=True)
        loss = amp_train_step(model, opt, scaler, x, y, torch.float16)
        ref = copy.deepcopy(base)  # oracle: one plain fp32 SGD step
        F.cross_entropy(ref(x).flatten(0, 1), y.flatten()).backward()
        want = torch.cat([-0.1 * p.grad.flatten() for p in ref.parameters()])
        lab.check_close("fp16 + scaler SGD step = fp32 SGD step (weight change)",
                        torch.cat([(p - b).flatten() for p, b in zip(params, base.parameters(),
                                                                      strict=True)]), want,
                        rtol=0.02, atol=0.02 * float(want.abs().max()),
                        hint="backward the scaled loss and step through the scaler")
        lab.check_close("returned loss = the unscaled loss", loss,
                        F.cross_entropy(base(x).float().flatten(0, 1), y.flatten()), rtol=5e-3,
                        hint="return the loss, not scaler.scale(loss)")
        model, params, opt, scaler = setup(2)
        for _ in range(2):
            amp_train_step(model, opt, scaler, x, y, torch.float16)
        lab.check_close("2 clean steps, growth_interval 2: scale 256 -> 512", scaler.get_scale(),
                        512.0, rtol=0, hint="call scaler.update() after scaler.step(opt)")
        before = [p.detach().clone() for p in params]
        steps_before, s0 = opt.state[params[0]]["step"].item(), scaler.get_scale()
        hook = poison(model)
        amp_train_step(model, opt, scaler, x, y, torch.float16)
        hook.remove()
        same = all(torch.equal(b, p) for b, p in zip(before, params, strict=True))
        lab.check("inf step: no parameter changed", same, "unchanged",
                  "unchanged" if same else "changed", hint="step through scaler.step(opt)")
        lab.check_equal("inf step: optimizer step count unchanged",
                        opt.state[params[0]]["step"].item(), steps_before)
        lab.check_close("inf step: scale halved", scaler.get_scale(), s0 * 0.5, rtol=0)
        amp_train_step(model, opt, scaler, x, y, torch.float16)
        lab.check("next clean step updates, parameters finite",
                  not torch.equal(before[0], params[0])
                  and all(bool(torch.isfinite(p).all()) for p in params), "moved, finite",
                  "see parameters", hint="zero the gradients at the start of every step")

    inject = [False, True, False, False, True, False, False, False, True, True] + [False] * 4
    for growth, backoff, interval in [(2.0, 0.5, 2), (3.0, 0.25, 3)]:
        model, params, opt, scaler = setup(interval, growth_factor=growth,
                                           backoff_factor=backoff)
        skipped, scales = [], []  # oracle: a real GradScaler driven by a reference step
        for bad in inject:
            before, hook = params[0].detach().clone(), poison(model) if bad else None
            opt.zero_grad(set_to_none=True)
            with torch.autocast(device_type=lab.device, dtype=torch.float16):
                loss = F.cross_entropy(model(x).float().flatten(0, 1), y.flatten())
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            if hook is not None:
                hook.remove()
            skipped.append(torch.equal(before, params[0]))  # skipped = no parameter moved
            scales.append(scaler.get_scale())
        lab.check_equal(f"GradScaler({growth:g}, {backoff:g}, {interval}) skipped the injected "
                        "steps", skipped, inject, graded=False)
        with lab.guard("update_loss_scale runs"):
            s, tracker, mine = 256.0, 0, []
            for found_inf in skipped:
                s, tracker = update_loss_scale(s, tracker, found_inf, growth, backoff, interval)
                mine.append(s)
            lab.check_close(f"your scale rule = GradScaler's (growth {growth:g}, backoff "
                            f"{backoff:g}, interval {interval})", mine, scales, rtol=0)


def body(lab: kit.Lab) -> None:
    cuda = lab.device == "cuda"
    cfg = Config() if cuda else Config(  # GPU sizes; a CPU gets a small model (quick: tiny)
        d_model=lab.pick(32, 64), n_layers=lab.pick(1, 2), n_heads=lab.pick(2, 4),
        vocab=lab.pick(64, 128), batch=lab.pick(8, 16), seq=lab.pick(16, 32),
        steps=lab.pick(16, 30), warmup=lab.pick(2, 5), lr=lab.pick(5e-3, 2e-3))
    lab.section("your step: half precision, GradScaler skip, back-off and growth")
    check_scaler(lab)

    lab.section(f"same model, same batches: fp32 vs AMP ({lab.device})")
    base = TinyGPT(cfg).to(lab.torch_device)
    modes = [("fp32", None, False)] + ([("tf32", None, False)] if cuda else []) \
        + [("bf16", torch.bfloat16, False), ("fp16", torch.float16, True)]
    runs = {}
    for mode, dtype, scaled in modes:
        t0 = time.perf_counter()
        runs[mode] = r = train(lab, cfg, base, mode, dtype, scaled)
        if r["losses"] is None:
            continue
        lab.log(f"  {mode}: loss {r['losses'][0]:.3f} -> {r['losses'][-5:].mean():.4f}, "
                f"{1e3 * r['step_s']:.2f} ms/step ({time.perf_counter() - t0:.1f} s)")
        lab.metric(f"step_ms_{mode}", 1e3 * r["step_s"], "ms")
    ref = runs["fp32"]["losses"]
    if ref is None or any(r["losses"] is None for r in runs.values()):
        return
    eps, V = cfg.label_noise, cfg.vocab  # the floor: entropy of the noisy targets
    p_hit = 1 - eps + eps / V
    floor = -p_hit * math.log(p_hit) - (V - 1) * (eps / V) * math.log(eps / V)
    lab.metric("loss_floor", floor)
    lab.check_ge("fp32 learns: share of the way from first loss to the floor",
                 float((ref[0] - ref[-5:].mean()) / (ref[0] - floor)), 0.3,
                 hint="zero the gradients before backward, not between backward and step")
    rel = {m: abs(float(runs[m]["losses"][-5:].mean() / ref[-5:].mean()) - 1) for m in runs}
    lab.check_le(f"{', '.join(list(runs)[1:])} final loss: max |loss - fp32's| / fp32's",
                 max(rel.values()), cfg.loss_rel, ", ".join(f"{m} {rel[m]:.1e}" for m in rel),
                 hint="return the unscaled loss; zero the gradients every step")
    speed = {}
    if cuda:
        fp32, bf16 = runs["fp32"], runs["bf16"]
        for mode in runs:
            lab.metric(f"peak_mem_{mode}", runs[mode]["peak_mem"] / 2**30, "GiB")
        speed = {"fp32": fp32["step_s"] / bf16["step_s"],
                 "tf32": runs["tf32"]["step_s"] / bf16["step_s"]}
        lab.metric("speedup_bf16_vs_fp32", speed["fp32"], "x")
        lab.metric("speedup_bf16_vs_tf32", speed["tf32"], "x")
        lab.metric("speedup_fp16_vs_fp32", fp32["step_s"] / runs["fp16"]["step_s"], "x")
        lab.check_le("bf16 peak memory / fp32's", bf16["peak_mem"] / fp32["peak_mem"], 0.95,
                     hint="activations saved for backward are half-width only under autocast")
        card = find_card(torch.cuda.get_device_name(0))
        lab.note(f"data-sheet card: {card['card']}" if card else
                 f"{torch.cuda.get_device_name(0)} is not in {PEAKS.name}: speed-ups shown only")
        with nullcontext() if card else lab.shown():  # graded on a known card only
            lab.check_ge("bf16 step speed-up over strict fp32", speed["fp32"], cfg.vs_fp32)
            lab.check_ge("bf16 step speed-up over TF32", speed["tf32"], cfg.vs_tf32)
    else:
        lab.note("speed and memory are measured on a GPU only: CPU autocast saves neither")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    for (mode, r), style in zip(runs.items(), ["-", "--", ":", "-."], strict=False):
        a1.plot(r["losses"].numpy(), style, label=mode)
    a1.axhline(floor, color="k", lw=0.8, ls=":", label="noise floor")
    a1.set(xlabel="step", ylabel="cross-entropy", title="same init, same batches")
    a1.legend()
    bars = a2.bar(list(runs), [1e3 * r["step_s"] for r in runs.values()], color="tab:orange")
    if cuda:  # peak memory on top of each bar
        a2.bar_label(bars, [f"{r['peak_mem'] / 2**30:.1f} GiB" for r in runs.values()])
    a2.set(ylabel="ms / step", title=f"step time on {lab.device}")
    lab.savefig(fig, "amp_loss_and_speed.png")
    lab.conclude(f"Your AMP step kept bf16 within {rel['bf16']:.1e} and fp16 (with the scaler) "
                 f"within {rel['fp16']:.1e} of fp32's final loss, skipped the injected inf and "
                 f"matched GradScaler's scale rule step by step"
                 + (f"; the bf16 step was {speed['fp32']:.1f}x faster than strict fp32 and "
                    f"{speed['tf32']:.2f}x faster than TF32." if speed else "."))


def main(argv: list[str] | None = None) -> int:
    return kit.run("mixed-precision", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
