"""Transformer language models: BERT reads both ways, GPT reads left to right.

BERT and GPT are the same Transformer block (multi-head self-attention, MLP, residuals,
LayerNorm) with a different attention mask. BERT is bidirectional: every token attends
to every real token, and only padding is masked. It is trained by masked language
modelling (MLM): 15% of the ordinary tokens are selected (never [CLS], [SEP] or padding);
of those, 80% become [MASK], 10% a random token and 10% stay as they are (so the model
cannot rely on seeing [MASK]), and the loss is taken on the selected positions only
(label -100, PyTorch's ignore_index, everywhere else). GPT is causal: token t attends to
tokens <= t only, so it learns to predict the next token at every position at once. At
inference it generates one token at a time; since the keys and values of past tokens
never change, it keeps them in a KV cache and computes only the newest token's query,
key and value at each step: the same logits as recomputing the whole prefix, with work
per new token linear instead of quadratic in the prefix length.

You write the causal and padding masks, multi-head attention, one decoding step of a
block with a KV cache, and BERT's MLM masking; the lab builds a tiny BERT and a tiny GPT
from them. Checks: attention equals torch's nn.MultiheadAttention (float64); GPT's
outputs have an exactly zero gradient with respect to future inputs while BERT's do
not; padding leaves BERT's real tokens unchanged; cached decoding equals the full
forward pass and the cache holds every position's keys and values; the masking rates
(15%, then 80/10/10) pass z-tests over ~18k tokens, special tokens are never selected
and labels are -100 exactly where nothing was selected; a small GPT trained on
arithmetic sequences continues them with the cache.

$ python labs/transformer_language_models.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("causal_mask", "padding_mask", "multi_head_attention", "kv_cache_step",
             "mlm_mask")


@dataclass
class Config:
    vocab: int = 23  # token ids 0..22; 0 is padding
    d_model: int = 32  # width of the residual stream
    n_heads: int = 4  # attention heads (head size d_model / n_heads = 8)
    n_layers: int = 2  # Transformer blocks
    seq_len: int = 12  # tokens per sequence
    train_steps: int = 1500  # GPT training steps on arithmetic sequences (30 in --quick)
    tol: float = 1e-10  # float64 tolerance for attention and decoding comparisons


def causal_mask(t: int) -> torch.Tensor:
    """(t, t) bool, True where query i may attend key j, i.e. j <= i (no peeking ahead)."""
    return torch.ones(t, t, dtype=torch.bool).tril()


def padding_mask(lengths: torch.Tensor, t: int) -> torch.Tensor:
    """(B, 1, t) bool key mask: True for the first lengths[b] (real) tokens of row b."""
    return (torch.arange(t)[None, :] < lengths[:, None])[:, None, :]


def multi_head_attention(q, k, v, n_heads: int, mask=None):
    """Scaled dot-product attention over n_heads heads.

    q: (B, Tq, D), k and v: (B, Tk, D), already projected. mask: bool, broadcastable to
    (B, Tq, Tk), True = may attend. Returns the merged output (B, Tq, D) and the attention
    weights (B, n_heads, Tq, Tk).
    """
    b, tq, d = q.shape
    tk, dh = k.shape[1], d // n_heads
    qh = q.view(b, tq, n_heads, dh).transpose(1, 2)  # (B, H, Tq, dh)
    kh = k.view(b, tk, n_heads, dh).transpose(1, 2)  # (B, H, Tk, dh)
    vh = v.view(b, tk, n_heads, dh).transpose(1, 2)
    scores = qh @ kh.transpose(-2, -1) / math.sqrt(dh)  # (B, H, Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))  # same mask per head
    w = torch.softmax(scores, dim=-1)
    out = (w @ vh).transpose(1, 2).reshape(b, tq, d)  # merge heads
    return out, w


def kv_cache_step(block, x: torch.Tensor, cache: dict) -> torch.Tensor:
    """One decoding step of a pre-LN ``Block`` for the newest token, with a KV cache.

    x: (B, 1, D) the new token's input. As in ``Block.forward``, q, k, v =
    ``block.qkv(block.ln1(x)).chunk(3, dim=-1)``. Append this step's k and v to
    ``cache["k"]`` and ``cache["v"]`` ((B, t, D), oldest first; create them on the first
    step), then attend from q to every cached key, this step's included, with
    ``multi_head_attention(q, k_all, v_all, block.heads)`` (no mask: the future does not
    exist yet); return x + ``block.proj(out)``, then that plus
    ``block.mlp(block.ln2(...))`` of it, (B, 1, D). The cache is updated in place.
    """
    q, k, v = block.qkv(block.ln1(x)).chunk(3, dim=-1)  # each (B, 1, D)
    if "k" in cache:
        k, v = torch.cat([cache["k"], k], dim=1), torch.cat([cache["v"], v], dim=1)
    cache["k"], cache["v"] = k, v  # (B, t, D)
    out, _ = multi_head_attention(q, k, v, block.heads)  # (B, 1, D)
    x = x + block.proj(out)
    return x + block.mlp(block.ln2(x))


def mlm_mask(ids: torch.Tensor, special: torch.Tensor, vocab_size: int, mask_id: int,
             generator: torch.Generator, p: float = 0.15):
    """BERT's masking for masked language modelling; returns (inputs, labels), both (B, T).

    ids: (B, T) token ids; special: (B, T) bool, True for [CLS], [SEP] and padding, which
    are never selected. Select every other token independently with probability p. labels
    = ids at selected positions, -100 elsewhere. inputs = ids, except at selected
    positions: with probability 0.8 ``mask_id``, 0.1 a random id uniform in
    [0, vocab_size), 0.1 unchanged. Draw all randomness from ``generator`` (e.g.
    ``torch.rand(..., generator=generator)``), so the same seed gives the same masking.
    """
    u = torch.rand(ids.shape, generator=generator)
    selected = (u < p) & ~special
    labels = torch.where(selected, ids, torch.full_like(ids, -100))
    r = torch.rand(ids.shape, generator=generator)  # which of the three fates
    random_ids = torch.randint(0, vocab_size, ids.shape, generator=generator)
    inputs = torch.where(selected & (r < 0.8), torch.full_like(ids, mask_id), ids)
    inputs = torch.where(selected & (r >= 0.8) & (r < 0.9), random_ids, inputs)
    return inputs, labels


class Block(nn.Module):
    """Pre-LayerNorm Transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads, self.ln1, self.ln2 = heads, nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, mask=None):
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)  # each (B, T, D)
        out, _ = multi_head_attention(q, k, v, self.heads, mask)
        x = x + self.proj(out)
        return x + self.mlp(self.ln2(x))


class TinyLM(nn.Module):
    """Token + position embeddings, blocks, LayerNorm, LM head. causal=True is GPT."""

    def __init__(self, cfg: Config, causal: bool) -> None:
        super().__init__()
        self.causal = causal
        self.tok, self.pos = nn.Embedding(cfg.vocab, cfg.d_model), nn.Embedding(64, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg.d_model, cfg.n_heads) for _ in range(cfg.n_layers))
        self.ln, self.head = nn.LayerNorm(cfg.d_model), nn.Linear(cfg.d_model, cfg.vocab)

    def embed(self, ids):
        return self.tok(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))

    def forward(self, ids=None, key_mask=None, x=None):
        x = self.embed(ids) if x is None else x  # (B, T, D)
        t = x.shape[1]
        mask = causal_mask(t).to(x.device) if self.causal else None
        if key_mask is not None:
            mask = key_mask if mask is None else key_mask & mask  # (B, T, T)
        for blk in self.blocks:
            x = blk(x, mask)
        return self.head(self.ln(x))  # (B, T, vocab)

    def step(self, ids_t, pos: int, caches: list[dict]):
        """Logits for one new token per row (B,) at position pos, using and extending the caches."""
        x = self.tok(ids_t)[:, None] + self.pos.weight[pos]  # (B, 1, D)
        for blk, cache in zip(self.blocks, caches, strict=True):
            x = kv_cache_step(blk, x, cache)  # the new query sees every cached key and itself
        return self.head(self.ln(x))[:, 0]


def arithmetic_batch(rng, n: int, cfg: Config) -> torch.Tensor:
    """Sequences start, start+s, start+2s, ... (mod vocab-1, shifted past padding), s in 1..3."""
    start = rng.integers(0, cfg.vocab - 1, size=(n, 1))
    step = rng.integers(1, 4, size=(n, 1))
    return torch.as_tensor((start + step * np.arange(cfg.seq_len)) % (cfg.vocab - 1) + 1)


def body(lab: kit.Lab) -> None:
    cfg = Config(train_steps=lab.pick(30, 1500))
    rng = np.random.default_rng(lab.seed)
    dt, b, t, d, h = torch.float64, 3, cfg.seq_len, cfg.d_model, cfg.n_heads

    lab.section("multi-head attention vs torch")
    ref = nn.MultiheadAttention(d, h, batch_first=True, dtype=dt)
    x = torch.randn(b, t, d, dtype=dt)
    lengths = torch.tensor([t, t - 3, 5])
    with lab.guard("multi_head_attention runs"), torch.no_grad():
        q, k, v = F.linear(x, ref.in_proj_weight, ref.in_proj_bias).chunk(3, dim=-1)
        for name, ours, theirs in [
            ("no mask", None, {}),
            ("causal mask", "causal", {"attn_mask": ~torch.ones(t, t, dtype=torch.bool).tril()}),
            ("padding mask", "pad", {"key_padding_mask": torch.arange(t) >= lengths[:, None]}),
        ]:
            mask = {None: None, "causal": lambda: causal_mask(t),
                    "pad": lambda: padding_mask(lengths, t)}[ours]
            out, w = multi_head_attention(q, k, v, h, None if mask is None else mask())
            y_ref, w_ref = ref(x, x, x, average_attn_weights=False, need_weights=True, **theirs)
            lab.check_close(f"output = nn.MultiheadAttention ({name})", ref.out_proj(out), y_ref,
                            rtol=cfg.tol, atol=1e-12)
            lab.check_close(f"per-head weights = nn.MultiheadAttention ({name})", w, w_ref,
                            rtol=cfg.tol, atol=1e-12)
        qh, kh, vh = (z.view(b, t, h, d // h).transpose(1, 2) for z in (q, k, v))
        sdpa = F.scaled_dot_product_attention(qh, kh, vh, is_causal=True)
        out, _ = multi_head_attention(q, k, v, h, causal_mask(t))
        lab.check_close("causal attention = F.scaled_dot_product_attention(is_causal=True)", out,
                        sdpa.transpose(1, 2).reshape(b, t, d), rtol=cfg.tol, atol=1e-12)

    lab.section("GPT (causal) vs BERT (bidirectional): who sees the future?")
    gpt, bert = TinyLM(cfg, causal=True).to(dt), TinyLM(cfg, causal=False).to(dt)
    ids = torch.as_tensor(rng.integers(1, cfg.vocab, size=(b, t)))
    leak = {}
    with lab.guard("causal model runs"):
        for name, model in (("GPT", gpt), ("BERT", bert)):
            xe = model.embed(ids).detach().requires_grad_(True)
            logits = model(x=xe)
            jac = torch.zeros(t, t, dtype=dt)  # |d logits_t / d x_s| summed
            for i in range(t):
                (g,) = torch.autograd.grad(logits[:, i].sum(), xe, retain_graph=True)
                jac[i] = g.abs().sum(dim=(0, 2))
            leak[name] = jac
        future = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        lab.check_le("GPT: max |d out_t / d x_s| for s > t (autograd)",
                     float(leak["GPT"][future].max()), 0.0, "must be exactly 0")
        lab.check_ge("GPT: output t depends on input t and the past", float(
            leak["GPT"][~future].min()), 1e-8, "every allowed entry is nonzero")
        lab.check_ge("BERT: output t does depend on the future", float(
            leak["BERT"][future].min()), 1e-8, "bidirectional attention")

    lab.section("BERT with padding")
    with lab.guard("padding mask runs"), torch.no_grad():
        padded = ids.clone()
        padded[:, 7:] = 0  # pad every row after 7 real tokens
        full = bert(padded, key_mask=padding_mask(torch.full((b,), 7), t))[:, :7]
        alone = bert(ids[:, :7])  # the same 7 tokens, no padding at all
        lab.check_close("BERT logits of real tokens: padded = unpadded", full, alone,
                        rtol=cfg.tol, atol=1e-12)

    lab.section("GPT: full forward = incremental decoding with a KV cache")
    with lab.guard("kv_cache_step runs"), torch.no_grad():
        full = gpt(ids)  # (B, T, vocab)
        caches = [{} for _ in gpt.blocks]
        steps = torch.stack([gpt.step(ids[:, i], i, caches) for i in range(t)], dim=1)
        lab.check_close("logits: one pass = token by token (KV cache)", steps, full,
                        rtol=1e-9, atol=1e-12, hint="attend to the cache after appending k, v")
        xs, kv_full = gpt.embed(ids), []  # oracle: each block's keys and values, full pass
        for blk in gpt.blocks:
            kv_full.append(torch.cat(blk.qkv(blk.ln1(xs)).chunk(3, dim=-1)[1:], dim=-1))
            xs = blk(xs, torch.ones(t, t, dtype=torch.bool).tril())
        kv_cached = [torch.cat([c.get("k", torch.zeros(0)), c.get("v", torch.zeros(0))], -1)
                     for c in caches]
        lab.check_close("cache = every position's keys and values, oldest first (all blocks)",
                        torch.stack(kv_cached) if len({x.shape for x in kv_cached}) == 1
                        else kv_cached[0], torch.stack(kv_full), rtol=1e-9, atol=1e-12)

    lab.section("BERT's masked-language-model masking: 15% selected, then 80/10/10")
    with lab.guard("mlm_mask runs"):
        from scipy.stats import chisquare

        v_size, cls, sep, mask_id = 1000, 2, 3, 4  # ordinary tokens are 5 .. 999, 0 = pad
        lens = torch.as_tensor(rng.integers(8, 65, size=512))
        ids_m = torch.as_tensor(rng.integers(5, v_size, size=(512, 64)))
        ids_m[torch.arange(64) >= lens[:, None]] = 0  # padding after each row's length
        ids_m[:, 0], ids_m[torch.arange(512), lens - 1] = cls, sep
        special = (ids_m == 0) | (ids_m == cls) | (ids_m == sep)
        inputs, labels = mlm_mask(ids_m, special, v_size, mask_id,
                                  torch.Generator().manual_seed(lab.seed))
        sel = labels != -100
        n_ord, n_sel = int((~special).sum()), int(sel.sum())
        fates = {"[MASK]": (inputs == mask_id) & sel, "random": (inputs != mask_id) & (
            inputs != ids_m) & sel, "unchanged": (inputs == ids_m) & sel}
        rows = [["selected / ordinary tokens", 0.15, n_sel / n_ord, n_ord]]
        rows += [[f"{k} / selected", pk, int(fates[k].sum()) / max(n_sel, 1), n_sel]
                 for k, pk in (("[MASK]", 0.8 + 0.1 / v_size), ("random", 0.1 - 0.2 / v_size),
                               ("unchanged", 0.1 + 0.1 / v_size))]  # a random id may hit either
        for name, p_exp, share, n in rows:
            z = abs(share - p_exp) / math.sqrt(p_exp * (1 - p_exp) / max(n, 1))
            lab.check_le(f"MLM rate {name} = {p_exp:.3f} (|z|)", z, 4.5, f"measured {share:.4f}")
        lab.table("mlm_rates", ["rate", "expected", "measured", "out of"], rows,
                  title="BERT masking over 512 x 64 tokens (z-tests at 4.5 sigma)")
        lab.check_equal("special tokens ([CLS], [SEP], padding) never selected or changed",
                        (int(sel[special].sum()), int((inputs != ids_m)[special].sum())), (0, 0))
        lab.check_equal("labels = original id where selected, -100 elsewhere; rest unchanged",
                        (bool((labels[sel] == ids_m[sel]).all()),
                         int((inputs != ids_m)[~sel].sum())), (True, 0),
                        hint="take the labels from ids before replacing anything")
        rand = inputs[fates["random"]].numpy()
        p_uni = chisquare(np.bincount(rand * 10 // v_size, minlength=10)).pvalue
        lab.check_ge("random replacements uniform over [0, vocab_size) (chi-square p)",
                     float(p_uni), 1e-4, f"{len(rand)} random ids in 10 bins")
        again = mlm_mask(ids_m, special, v_size, mask_id, torch.Generator().manual_seed(lab.seed))
        lab.check_equal("the same generator seed gives the same masking",
                        bool(torch.equal(again[0], inputs) and torch.equal(again[1], labels)),
                        True, hint="pass generator= to every torch.rand / torch.randint")

    lab.section("train a small GPT on arithmetic sequences")
    torch.manual_seed(lab.seed)
    dev = lab.torch_device
    lm = TinyLM(cfg, causal=True).to(dev)
    opt = torch.optim.AdamW(lm.parameters(), lr=lab.pick(1e-2, 3e-3))
    losses = []
    with lab.guard("GPT training runs"):
        for _ in range(cfg.train_steps):
            batch = arithmetic_batch(rng, 64, cfg).to(dev)
            logits = lm(batch[:, :-1])  # predict token i+1 from tokens <= i
            loss = F.cross_entropy(logits.reshape(-1, cfg.vocab), batch[:, 1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        test = arithmetic_batch(rng, 200, cfg).to(dev)
        with torch.no_grad(), lab.timer() as t_cache:
            seq, caches = test[:, :3], [{} for _ in lm.blocks]  # prompt: 3 tokens
            for i in range(t - 1):  # greedy generation with the KV cache
                nxt = lm.step(seq[:, i], i, caches).argmax(-1)
                if i >= 2:
                    seq = torch.cat([seq, nxt[:, None]], 1)
        with torch.no_grad(), lab.timer() as t_full:
            plain = test[:, :3]  # the same greedy generation, recomputing the whole prefix
            while plain.shape[1] < t:
                plain = torch.cat([plain, lm(plain)[:, -1].argmax(-1, keepdim=True)], 1)
        acc = float((seq[:, 3:] == test[:, 3:]).float().mean())
        lab.metric("final_train_loss", losses[-1])
        lab.metric("generation_token_accuracy", acc)
        lab.metric("generation_s_kv_cache", t_cache.seconds, "s")
        lab.metric("generation_s_full_recompute", t_full.seconds, "s")
        lab.check_equal("greedy tokens: KV cache = full recompute (mismatches)",
                        int((seq != plain).sum()), 0)
        lab.check_ge("greedy generation continues the sequences (token accuracy)", acc,
                     lab.pick(0.8, 0.95))

    if leak:
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
        top = max(math.log10(float(j.max())) for j in leak.values())
        for ax, name in zip(axes[:2], ("BERT", "GPT"), strict=True):
            im = ax.imshow(np.log10(leak[name].numpy() + 1e-30), cmap="viridis",
                           vmin=top - 4, vmax=top)  # exact zeros clip to the darkest colour
            ax.set(title=f"{name}: log10 |d out_t / d x_s|", xlabel="input position s",
                   ylabel="output position t")
        fig.colorbar(im, ax=axes[1], fraction=0.046)
        axes[2].plot(losses)
        axes[2].set(title="GPT next-token loss", xlabel="step", ylim=(0, None))
        lab.savefig(fig, "bert_vs_gpt.png")
    if losses and leak:
        lab.conclude(f"Your causal mask gave GPT an exactly zero gradient from the future "
                     f"(BERT's was >= {float(leak['BERT'][future].min()):.1e}), your KV-cache "
                     f"step reproduced the full forward pass, and the small GPT continued "
                     f"arithmetic sequences with {acc:.0%} token accuracy.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("transformer-language-models", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
