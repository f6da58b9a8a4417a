"""Open LLM architectures: Llama, Mistral and Falcon, built small from their configs.

Llama, Mistral and Falcon are decoder-only transformers with public weights and configs. They
differ from the 2017 transformer in four places: RMSNorm instead of LayerNorm (Llama,
Mistral); rotary position embeddings (RoPE: rotate each (i, i + d/2) query/key feature pair
by an angle proportional to the position, so q.k depends only on the distance); grouped-query
attention (GQA: query heads share key/value heads; Falcon-7B has one, multi-query); and
Mistral's sliding window (a token sees only the last W positions: a rolling KV cache of W).
Claude is API-only (no published weights or config), so nothing here counts, builds or calls
it. You write the parameter count from a config, RoPE and grouped-query attention; tiny
random transformers models (no download) check your count (also of full-size configs, on
the meta device), RoPE (Hugging Face's pairing of feature i with i + d/2), GQA (head
grouping, sliding window), a forward pass built from them and KV-cache generation, which
must equal recomputing the whole sequence.

$ python labs/open_llm_architectures.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("param_count", "apply_rope", "gqa_attention")


@dataclass
class Config:
    vocab: int = 256  # tiny vocabulary
    hidden: int = 128  # model width d
    intermediate: int = 352  # SwiGLU width
    layers: int = 4  # decoder layers
    heads: int = 8  # query heads
    kv_heads: int = 2  # key/value heads (GQA: 4 query heads per KV head)
    window: int = 6  # Mistral sliding window W
    prompt: int = 5  # prompt tokens
    new_tokens: int = 24  # greedily generated tokens
    logits_rtol: float = 1e-5  # vs transformers (its RoPE tables are computed in float32)


def param_count(config) -> int:
    """Number of parameters implied by a Llama/Mistral or Falcon config (tied weights once).

    Llama/Mistral layer: q, k, v, o projections (k, v have num_key_value_heads heads of
    head_dim), SwiGLU MLP (gate, up, down), two RMSNorm weights; plus embeddings, the final
    norm and an untied lm_head. Falcon layer: fused query_key_value (3 d*d; multi_query:
    d*(d + 2 head_dim); new_decoder_architecture: d*(heads + 2 num_kv_heads) head_dim), dense,
    a GELU MLP of ffn_hidden_size, LayerNorms with bias (2 per layer if not parallel_attn,
    if num_ln_in_parallel_attn == 2, or with new_decoder_architecture and
    num_ln_in_parallel_attn None; else 1), biases on the four linears when config.bias,
    plus embeddings and the final LayerNorm; lm_head tied. head_dim: config.head_dim if
    set, else hidden_size // num_attention_heads.
    """
    d, V = config.hidden_size, config.vocab_size
    L, H = config.num_hidden_layers, config.num_attention_heads
    hd = getattr(config, "head_dim", None) or d // H
    head = 0 if config.tie_word_embeddings else V * d  # untied lm_head
    if config.model_type == "falcon":
        qkv = ((H + 2 * config.num_kv_heads) * hd if config.new_decoder_architecture else
               d + 2 * hd if config.multi_query else 3 * d)
        ffn, n_ln = config.ffn_hidden_size, config.num_ln_in_parallel_attn
        two_ln = (not config.parallel_attn or n_ln == 2
                  or (config.new_decoder_architecture and n_ln is None))
        layer = d * qkv + d * d + 2 * d * ffn + ((qkv + d + ffn + d) if config.bias else 0)
        return V * d + L * (layer + (2 if two_ln else 1) * 2 * d) + 2 * d + head
    kv, inter = config.num_key_value_heads, config.intermediate_size
    attn = d * H * hd + 2 * d * kv * hd + H * hd * d + (
        (H * hd + 2 * kv * hd + d) if getattr(config, "attention_bias", False) else 0)
    mlp = 3 * d * inter + ((2 * inter + d) if getattr(config, "mlp_bias", False) else 0)
    return V * d + L * (attn + mlp + 2 * d) + d + head


def apply_rope(x, positions, theta: float = 10000.0):
    """Rotary embedding of x (B, heads, T, hd) at integer positions (T,), Hugging Face layout.

    Feature i (i < hd/2) pairs with feature i + hd/2 (the two halves, not neighbours
    2i, 2i+1 as in Meta's original code) and the pair is rotated by the angle
    positions * theta^(-2i/hd):  x1' = x1 cos - x2 sin,  x2' = x2 cos + x1 sin, where x1 is
    the first half and x2 the second. Returns a tensor shaped like x.
    """
    hd = x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, hd, 2, dtype=torch.float64, device=x.device) / hd)
    ang = positions.to(torch.float64)[:, None] * inv_freq[None, :]  # (T, hd/2)
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def gqa_attention(q, k, v, q_pos, k_pos, window=None):
    """Causal grouped-query attention with an optional sliding window.

    q (B, H, Tq, hd); k, v (B, KV, Tk, hd) with H a multiple of KV: query heads come in KV
    consecutive groups, query head h uses KV head h // (H/KV). q_pos (Tq,), k_pos (Tk,) are
    absolute positions - with a KV cache Tq is 1 and the keys are the past, so build the
    mask from positions, not from row/column indices. Query at p may attend a key at s iff
    s <= p and (window is None or p - s < window: W positions, itself included). Scores
    are scaled by 1/sqrt(hd). Returns (B, H, Tq, hd).
    """
    k, v = (t.repeat_interleave(q.shape[1] // t.shape[1], dim=1) for t in (k, v))  # (B, H, Tk, hd)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    allowed = k_pos[None, :] <= q_pos[:, None]
    if window is not None:
        allowed &= (q_pos[:, None] - k_pos[None, :]) < window
    return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v


def rms_norm(x, weight, eps):
    """RMSNorm: x / sqrt(mean(x^2) + eps) * weight (no mean subtraction, no bias)."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def forward(model, tokens, start: int = 0, cache=None, window=None, keep: int | None = None):
    """Llama/Mistral logits (B, T, vocab) from the model's weights and the functions above.

    tokens (B, T) sit at positions start..start+T-1. ``cache`` ({layer: (k, v, k_pos)}, or
    None) grows in place, trimmed to the last ``keep`` positions (Mistral's rolling buffer).
    """
    c, sd = model.config, model.state_dict()
    H, KV, hd = c.num_attention_heads, c.num_key_value_heads, c.head_dim
    theta, (B, T) = c.rope_parameters["rope_theta"], tokens.shape
    pos = torch.arange(start, start + T, device=tokens.device)
    x = sd["model.embed_tokens.weight"][tokens]  # (B, T, d)
    for i in range(c.num_hidden_layers):
        p = f"model.layers.{i}."
        h = rms_norm(x, sd[p + "input_layernorm.weight"], c.rms_norm_eps)
        q, k, v = ((h @ sd[p + f"self_attn.{n}_proj.weight"].T).view(B, T, nh, hd).transpose(1, 2)
                   for n, nh in (("q", H), ("k", KV), ("v", KV)))  # (B, heads, T, hd)
        q, k, k_pos = apply_rope(q, pos, theta), apply_rope(k, pos, theta), pos
        if cache is not None:
            ck, cv, cpos = cache.setdefault(i, (k[:, :, :0], v[:, :, :0], pos[:0]))
            k, v, k_pos = torch.cat([ck, k], 2), torch.cat([cv, v], 2), torch.cat([cpos, pos])
            cache[i] = (k[:, :, -keep:], v[:, :, -keep:], k_pos[-keep:]) if keep else (k, v, k_pos)
        a = gqa_attention(q, k, v, pos, k_pos, window).transpose(1, 2).reshape(B, T, H * hd)
        x = x + a @ sd[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, sd[p + "post_attention_layernorm.weight"], c.rms_norm_eps)
        gate, up = h @ sd[p + "mlp.gate_proj.weight"].T, h @ sd[p + "mlp.up_proj.weight"].T
        x = x + (F.silu(gate) * up) @ sd[p + "mlp.down_proj.weight"].T  # SwiGLU
    return rms_norm(x, sd["model.norm.weight"], c.rms_norm_eps) @ sd["lm_head.weight"].T


def generate(model, prompt, n: int, use_cache: bool, window=None):
    """Greedy decoding (under no_grad): tokens (B, P + n), new logits (B, n, V), max cache size."""
    tokens, steps, cache, biggest = prompt, [], ({} if use_cache else None), 0
    logits = forward(model, tokens, 0, cache, window, window)[:, -1]
    for _ in range(n):
        steps.append(logits)
        nxt = logits.argmax(-1, keepdim=True)
        tokens = torch.cat([tokens, nxt], 1)
        if use_cache:  # feed only the new token; keys/values of the past come from the cache
            logits = forward(model, nxt, tokens.shape[1] - 1, cache, window, window)[:, -1]
            biggest = max(biggest, cache[0][0].shape[2])
        else:  # recompute the whole sequence
            logits = forward(model, tokens, 0, None, window)[:, -1]
    return tokens, torch.stack(steps, 1), biggest


def configs(cfg: Config) -> tuple[dict, dict, tuple]:
    """Tiny configs for param_count, published full-size ones, and the Llama, Mistral run here."""
    from transformers import FalconConfig, LlamaConfig, MistralConfig

    def llama(kind, V, d, ffn, L, H, KV, **kw):  # Llama/Mistral sizes as config keywords
        return kind(vocab_size=V, hidden_size=d, intermediate_size=ffn, num_hidden_layers=L,
                    num_attention_heads=H, num_key_value_heads=KV, **kw)

    def falcon(V, d, L, H, new=False, **kw):  # parallel attention, no biases unless told
        kw = {"parallel_attn": True, "bias": False, **kw}
        return FalconConfig(vocab_size=V, hidden_size=d, num_hidden_layers=L,
                            num_attention_heads=H, new_decoder_architecture=new, **kw)

    V, d, ffn, H, KV = cfg.vocab, cfg.hidden, cfg.intermediate, cfg.heads, cfg.kv_heads
    tiny = {
        "tiny Llama (GQA)": llama(LlamaConfig, V, d, ffn, 2, H, KV),
        "tiny Llama (tied, biases)": llama(LlamaConfig, V, d, ffn, 2, H, H, mlp_bias=True,
                                           tie_word_embeddings=True, attention_bias=True),
        "tiny Mistral": llama(MistralConfig, V, d, ffn, 2, H, KV, sliding_window=cfg.window),
        "tiny Falcon (multi-query)": falcon(V, d, 2, H, multi_query=True),
        "tiny Falcon (sequential, biases)": falcon(V, d, 2, H, multi_query=False,
                                                   parallel_attn=False, bias=True),
        "tiny Falcon (new arch, GQA)": falcon(V, d, 2, H, new=True, num_kv_heads=KV, bias=True),
    }
    full = {  # published sizes, from each model's config.json
        "Llama-2-7B": llama(LlamaConfig, 32000, 4096, 11008, 32, 32, 32),
        "Llama-3-8B": llama(LlamaConfig, 128256, 4096, 14336, 32, 32, 8),
        "Mistral-7B": llama(MistralConfig, 32000, 4096, 14336, 32, 32, 8, sliding_window=4096),
        "Falcon-7B": falcon(65024, 4544, 32, 71, multi_query=True),
        "Falcon-40B": falcon(65024, 8192, 60, 128, new=True, num_kv_heads=8),
    }
    size, kw = (V, d, ffn, cfg.layers, H, KV), dict(max_position_embeddings=256)
    return tiny, full, (llama(LlamaConfig, *size, **kw),
                        llama(MistralConfig, *size, **kw, sliding_window=cfg.window))


def model_for(config):
    import transformers  # LlamaConfig -> LlamaForCausalLM, and so on
    return getattr(transformers, type(config).__name__.replace("Config", "ForCausalLM"))(config)


def body(lab: kit.Lab) -> None:
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb
    cfg = Config(hidden=lab.pick(64, 256), intermediate=lab.pick(176, 688), layers=lab.pick(2, 4),
                 new_tokens=lab.pick(12, 96))
    dev = lab.torch_device
    lab.note("Claude is API-only: no public weights or config, so it is not built, counted or "
             "called here (no network access).")
    tiny, full, run = configs(cfg)

    lab.section("parameter counts: config formula vs the built model")
    counts, parts = {}, ("embeddings", "attention", "MLP", "norms")  # full-size models' parts
    rows, wrong = [], {"llama": [], "falcon": []}
    with lab.guard("param_count runs"):
        for name, conf in {**tiny, **full}.items():
            with torch.device("meta"):  # shapes only, no memory
                model = model_for(conf)
            n, mine = sum(p.numel() for p in model.parameters()), param_count(conf)
            rows.append([name, n, mine, mine - n])
            if mine != n:
                wrong["falcon" if conf.model_type == "falcon" else "llama"].append(name)
            if name in full:
                lab.metric(f"params_{name}", n / 1e9, "B")
                split = counts[name] = dict.fromkeys(parts, 0)
                for pname, p in model.named_parameters():
                    split["embeddings" if ("embed" in pname or "lm_head" in pname) else
                          "attention" if ("attn" in pname or "attention" in pname) else
                          "MLP" if "mlp" in pname else "norms"] += p.numel()
        lab.table("param_counts", ["config", "numel of the built model", "your formula",
                                   "difference"], rows, title="parameters: formula vs model")
        for fam, hint in (("llama", "k and v have num_key_value_heads heads; SwiGLU has 3 "
                                    "matrices; a tied lm_head is the embedding"),
                          ("falcon", "fused qkv size depends on multi_query / "
                                     "new_decoder_architecture; count the LayerNorms")):
            lab.check_equal(f"{'Llama/Mistral' if fam == 'llama' else 'Falcon'} configs: formula "
                            "= numel of the built model (tiny and full size)", wrong[fam], [],
                            "configs whose count differs", hint=hint)
    llama, mistral = (model_for(c).to(dev).double().eval() for c in run)

    lab.section("RoPE and grouped-query attention")
    q, k, v = (torch.randn(2, n, 10, cfg.hidden // cfg.heads, dtype=torch.float64, device=dev)
               for n in (cfg.heads, cfg.kv_heads, cfg.kv_heads))  # (B, heads, T, hd)
    pos = torch.arange(10, device=dev)
    tol = dict(rtol=1e-5, atol=1e-6)  # transformers computes its RoPE tables in float32
    with lab.guard("apply_rope runs"):
        cos, sin = llama.model.rotary_emb(q, pos[None])
        lab.check_close("RoPE = transformers apply_rotary_pos_emb", apply_rope(q, pos),
                        apply_rotary_pos_emb(q, q, cos, sin)[0], **tol,
                        hint="pair feature i with i + hd/2 (halves), angle pos * theta^(-2i/hd)")
        qk = apply_rope(q[:, :1], pos) @ apply_rope(k[:, :1], pos).transpose(-2, -1)
        qk_shift = apply_rope(q[:, :1], pos + 7) @ apply_rope(k[:, :1], pos + 7).transpose(-2, -1)
        lab.check_close("RoPE: q.k depends only on the distance (shift all positions by 7)",
                        qk_shift, qk, **tol, hint="a rotation: x2' = x2 cos + x1 sin")
        lab.check_close("RoPE keeps vector norms", apply_rope(q, pos).norm(dim=-1), q.norm(dim=-1),
                        **tol, hint="a rotation: x2' = x2 cos + x1 sin")
    with lab.guard("gqa_attention runs"):
        causal = torch.ones(10, 10, dtype=torch.bool, device=dev).tril()
        band = causal.triu(-(cfg.window - 1))  # keys at most W - 1 positions back
        cases = {"GQA attention = F.sdpa(enable_gqa=True, causal)": (None, causal),
                 f"sliding window W={cfg.window} = F.sdpa with a band mask": (cfg.window, band)}
        for name, (window, mask) in cases.items():
            sdpa = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
            lab.check_close(name, gqa_attention(q, k, v, pos, pos, window), sdpa, rtol=1e-10,
                            hint="query head h uses KV head h // (H / KV): repeat_interleave"
                            if window is None else "a key s is visible iff p - W < s <= p")
            lab.check_close(f"{name.split(' =')[0]}: one new query at position 9 against the "
                            "cached keys 0..9 (Tq = 1)", gqa_attention(q[:, :, -1:], k, v,
                                                                       pos[-1:], pos, window),
                            sdpa[:, :, -1:], rtol=1e-10,
                            hint="build the mask from q_pos and k_pos, not from tril(ones)")

    lab.section("your forward pass vs transformers (float64)")
    gen = torch.Generator().manual_seed(lab.seed)
    tokens = torch.randint(0, cfg.vocab, (2, 3 * cfg.window), generator=gen).to(dev)
    with lab.guard("forward pass from the weights"), torch.no_grad():
        lab.check_close("Llama logits = LlamaForCausalLM", forward(llama, tokens),
                        llama(tokens).logits, rtol=cfg.logits_rtol, atol=1e-7)
        mine = forward(mistral, tokens, window=cfg.window)
        lab.check_close(f"Mistral logits (sliding window {cfg.window}) = MistralForCausalLM", mine,
                        mistral(tokens).logits, rtol=cfg.logits_rtol, atol=1e-7)
        gap = (forward(mistral, tokens) - mine).abs().max().item()
        lab.check_ge("the window matters: Mistral without it differs (max |logit diff|)", gap, 1e-3)

    lab.section(f"KV-cache generation vs full recomputation ({cfg.new_tokens} new tokens)")
    prompt = tokens[:, :cfg.prompt]
    with lab.guard("generation with a KV cache"), torch.no_grad():
        for name, model, window in (("Llama", llama, None), ("Mistral", mistral, cfg.window)):
            with lab.timer() as t_full:
                full_tok, full_logits, _ = generate(model, prompt, cfg.new_tokens, False, window)
            with lab.timer() as t_cache:
                tok, logits, biggest = generate(model, prompt, cfg.new_tokens, True, window)
            lab.check_equal(f"{name}: cached greedy tokens = full recompute", tok.tolist(),
                            full_tok.tolist())
            lab.check_close(f"{name}: cached logits = full recompute", logits, full_logits,
                            rtol=1e-9, atol=1e-12)
            hf = model(tok[:, :-1]).logits[:, cfg.prompt - 1:]
            lab.check_close(f"{name}: cached logits = transformers on the whole sequence",
                            logits, hf, rtol=cfg.logits_rtol, atol=1e-7)
            if window:  # the lab's own cache code: shown
                lab.check_le(f"{name}: rolling KV cache never holds more than W={window} positions",
                             biggest, window, graded=False)
            lab.metric(f"{name.lower()}_kv_cache_speedup", t_full.seconds / t_cache.seconds, "x")

    graded = [c.passed for c in lab.checks if c.graded]
    sizes = ", ".join(f"{r[0]} {r[2] / 1e9:.2f} B" for r in rows if r[0] in full)
    lab.conclude(f"Your formula counted {sizes}; your RoPE and grouped-query attention "
                 f"reproduced transformers' Llama and Mistral logits and KV-cache generation "
                 f"({sum(graded)} of {len(graded)} graded checks passed).")
    if counts:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
        for i, part in enumerate(parts):  # stacked bars, in billions
            ax1.bar(list(counts), [c[part] / 1e9 for c in counts.values()], label=part,
                    bottom=[sum(c[p] for p in parts[:i]) / 1e9 for c in counts.values()])
        ax1.set(ylabel="parameters (billions)", title="where the parameters are")
        ax1.legend(fontsize=8)
        kv = [2 * c.num_hidden_layers * (c.hidden_size // c.num_attention_heads) * 2 / 1024 * (
            c.num_key_value_heads if c.model_type != "falcon" else c.num_kv_heads
            if c.new_decoder_architecture else 1 if c.multi_query else c.num_attention_heads)
            for c in full.values()]  # K and V, every layer, KV heads, 2 bytes each
        ax2.bar(list(full), kv, color="tab:purple")
        ax2.set(yscale="log", ylabel="KiB per token (fp16)",
                title="KV cache: MHA vs GQA vs multi-query")
        for ax in (ax1, ax2):
            ax.tick_params(axis="x", labelsize=8, rotation=20)
        lab.savefig(fig, "open_llm_params.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("open-llm-architectures", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
