"""Open LLM architectures: Llama, Mistral and Falcon, built small from their configs.

Llama, Mistral and Falcon are decoder-only transformers whose weights are public, so their
architecture is fully described by a config file: vocabulary, width, depth, heads and a few
switches. Their shared recipe differs from the 2017 transformer in four places this lab
implements: RMSNorm instead of LayerNorm (Llama, Mistral), rotary position embeddings
(RoPE: rotate each (i, i + d/2) pair of query/key features by an angle proportional to the
position, so q.k depends only on the distance), grouped-query attention (GQA: several query
heads share one key/value head; Falcon-7B takes it to one shared head, multi-query
attention) and, in Mistral, a sliding attention window (each token sees only the last W
positions, so a rolling KV cache of W entries suffices). Claude, by contrast, is an
API-only model: Anthropic publishes no weights or config, so it can be used only through
its API (messages in, text out) and nothing here can count, build or run it - no network
call is made.

The lab builds tiny random-initialised models with Hugging Face transformers (no download)
and checks: a parameter-count formula from the config = the model's numel, for tiny models
and for full-size Llama-2-7B, Llama-3-8B, Mistral-7B, Falcon-7B and Falcon-40B configs
instantiated on the meta device (no memory); RoPE = transformers' apply_rotary_pos_emb and
keeps q.k relative; GQA attention = F.scaled_dot_product_attention; a from-scratch forward
pass using your pieces reproduces LlamaForCausalLM and MistralForCausalLM (sliding window)
logits; and greedy generation with a KV cache gives exactly the tokens and logits of full
recomputation.

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


# ------------------------------------------------------------------------- exercises
def param_count(config) -> int:
    """Number of parameters implied by a Llama/Mistral or Falcon config (tied weights once).

    Llama/Mistral layer: q, k, v, o projections (k, v have num_key_value_heads heads of
    head_dim), SwiGLU MLP (gate, up, down), two RMSNorm weights; plus embeddings, the final
    norm and an untied lm_head. Falcon layer: fused query_key_value (3 d*d; multi_query:
    d*(d + 2 head_dim); new_decoder_architecture: d*(heads + 2 num_kv_heads) head_dim), dense,
    a GELU MLP of ffn_hidden_size, LayerNorms with bias (2 if not parallel_attn or if
    num_ln_in_parallel_attn == 2, else 1), biases when config.bias; lm_head tied.
    """
    d, V = config.hidden_size, config.vocab_size
    L, H = config.num_hidden_layers, config.num_attention_heads
    hd = getattr(config, "head_dim", None) or d // H
    if config.model_type == "falcon":
        if config.new_decoder_architecture:
            qkv = (H + 2 * config.num_kv_heads) * hd
        elif config.multi_query:
            qkv = d + 2 * hd
        else:
            qkv = 3 * d
        ffn = config.ffn_hidden_size
        layer = d * qkv + d * d + 2 * d * ffn
        if config.bias:
            layer += qkv + d + ffn + d
        n_ln = 2 if (not config.parallel_attn or config.num_ln_in_parallel_attn == 2) else 1
        if config.new_decoder_architecture and config.num_ln_in_parallel_attn is None:
            n_ln = 2
        layer += n_ln * 2 * d
        return V * d + L * layer + 2 * d + (0 if config.tie_word_embeddings else V * d)
    kv, inter = config.num_key_value_heads, config.intermediate_size
    attn = d * H * hd + 2 * d * kv * hd + H * hd * d
    if getattr(config, "attention_bias", False):
        attn += H * hd + 2 * kv * hd + d
    mlp = 3 * d * inter + ((2 * inter + d) if getattr(config, "mlp_bias", False) else 0)
    layer = attn + mlp + 2 * d
    return V * d + L * layer + d + (0 if config.tie_word_embeddings else V * d)


def apply_rope(x, positions, theta: float = 10000.0):
    """Rotary embedding of x (B, heads, T, hd) at integer positions (T,), Hugging Face layout.

    Feature i pairs with feature i + hd/2 and the pair is rotated by angle
    positions * theta^(-2i/hd):  x1' = x1 cos - x2 sin,  x2' = x2 cos + x1 sin.
    """
    hd = x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, hd, 2, dtype=torch.float64, device=x.device) / hd)
    ang = positions.to(torch.float64)[:, None] * inv_freq[None, :]  # (T, hd/2)
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def gqa_attention(q, k, v, q_pos, k_pos, window=None):
    """Causal grouped-query attention with an optional sliding window.

    q (B, H, Tq, hd); k, v (B, KV, Tk, hd) with H a multiple of KV (query head h uses KV
    head h // (H/KV)); q_pos (Tq,), k_pos (Tk,) absolute positions. Query at p may attend a
    key at s iff s <= p and (window is None or p - s < window). Returns (B, H, Tq, hd).
    """
    group = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)  # (B, H, Tk, hd)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    allowed = k_pos[None, :] <= q_pos[:, None]
    if window is not None:
        allowed &= (q_pos[:, None] - k_pos[None, :]) < window
    scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


# ------------------------------------------------------------------ model from weights
def rms_norm(x, weight, eps):
    """RMSNorm: x / sqrt(mean(x^2) + eps) * weight (no mean subtraction, no bias)."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def forward(model, tokens, start: int = 0, cache=None, window=None, keep: int | None = None):
    """Llama/Mistral forward from the model's weights and the functions above.

    tokens (B, T) sit at positions start..start+T-1. ``cache`` (a list of per-layer [k, v,
    k_pos], or None for no cache) is extended in place; ``keep`` trims it to the last
    ``keep`` positions (Mistral's rolling buffer). Returns logits (B, T, vocab).
    """
    c, sd = model.config, model.state_dict()
    H, KV = c.num_attention_heads, c.num_key_value_heads
    hd = getattr(c, "head_dim", None) or c.hidden_size // H
    theta = c.rope_parameters["rope_theta"]
    B, T = tokens.shape
    pos = torch.arange(start, start + T, device=tokens.device)
    x = sd["model.embed_tokens.weight"][tokens]  # (B, T, d)
    for i in range(c.num_hidden_layers):
        p = f"model.layers.{i}."
        h = rms_norm(x, sd[p + "input_layernorm.weight"], c.rms_norm_eps)
        q = (h @ sd[p + "self_attn.q_proj.weight"].T).view(B, T, H, hd).transpose(1, 2)
        k = (h @ sd[p + "self_attn.k_proj.weight"].T).view(B, T, KV, hd).transpose(1, 2)
        v = (h @ sd[p + "self_attn.v_proj.weight"].T).view(B, T, KV, hd).transpose(1, 2)
        q, k, k_pos = apply_rope(q, pos, theta), apply_rope(k, pos, theta), pos
        if cache is not None:
            if len(cache) <= i:
                cache.append([k[:, :, :0], v[:, :, :0], pos[:0]])
            k, v, k_pos = (torch.cat([cache[i][0], k], 2), torch.cat([cache[i][1], v], 2),
                           torch.cat([cache[i][2], pos]))
            cache[i] = [k[:, :, -keep:], v[:, :, -keep:], k_pos[-keep:]] if keep else [k, v, k_pos]
        a = gqa_attention(q, k, v, pos, k_pos, window).transpose(1, 2).reshape(B, T, H * hd)
        x = x + a @ sd[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, sd[p + "post_attention_layernorm.weight"], c.rms_norm_eps)
        gate, up = h @ sd[p + "mlp.gate_proj.weight"].T, h @ sd[p + "mlp.up_proj.weight"].T
        x = x + (F.silu(gate) * up) @ sd[p + "mlp.down_proj.weight"].T  # SwiGLU
    x = rms_norm(x, sd["model.norm.weight"], c.rms_norm_eps)
    return x @ sd["lm_head.weight"].T


def generate(model, prompt, n: int, use_cache: bool, window=None):
    """Greedy decoding: (tokens (B, P + n), logits of each new token (B, n, V), max cache size)."""
    tokens, steps, cache, biggest = prompt, [], ([] if use_cache else None), 0
    keep = window if (use_cache and window) else None
    with torch.no_grad():
        logits = forward(model, tokens, 0, cache, window, keep)[:, -1]
        for _ in range(n):
            steps.append(logits)
            nxt = logits.argmax(-1, keepdim=True)
            tokens = torch.cat([tokens, nxt], 1)
            if use_cache:  # feed only the new token; keys/values of the past come from the cache
                logits = forward(model, nxt, tokens.shape[1] - 1, cache, window, keep)[:, -1]
                biggest = max(biggest, cache[0][0].shape[2])
            else:  # recompute the whole sequence
                logits = forward(model, tokens, 0, None, window)[:, -1]
    return tokens, torch.stack(steps, 1), biggest


# ------------------------------------------------------------------------------ body
def full_size_configs():
    """Published architecture hyper-parameters (from each model's config.json)."""
    from transformers import FalconConfig, LlamaConfig, MistralConfig

    return {
        "Llama-2-7B": LlamaConfig(vocab_size=32000, hidden_size=4096, intermediate_size=11008,
                                  num_hidden_layers=32, num_attention_heads=32,
                                  num_key_value_heads=32),
        "Llama-3-8B": LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                                  num_hidden_layers=32, num_attention_heads=32,
                                  num_key_value_heads=8),
        "Mistral-7B": MistralConfig(vocab_size=32000, hidden_size=4096, intermediate_size=14336,
                                    num_hidden_layers=32, num_attention_heads=32,
                                    num_key_value_heads=8, sliding_window=4096),
        "Falcon-7B": FalconConfig(vocab_size=65024, hidden_size=4544, num_hidden_layers=32,
                                  num_attention_heads=71, multi_query=True, parallel_attn=True,
                                  bias=False, new_decoder_architecture=False),
        "Falcon-40B": FalconConfig(vocab_size=65024, hidden_size=8192, num_hidden_layers=60,
                                   num_attention_heads=128, num_kv_heads=8, parallel_attn=True,
                                   bias=False, new_decoder_architecture=True),
    }


def kv_heads(c) -> int:
    """Key/value heads of a config: Llama/Mistral num_key_value_heads, Falcon 1 (multi-query)."""
    if c.model_type != "falcon":
        return c.num_key_value_heads
    if c.new_decoder_architecture:
        return c.num_kv_heads
    return 1 if c.multi_query else c.num_attention_heads


def model_for(config):
    from transformers import FalconForCausalLM, LlamaForCausalLM, MistralForCausalLM

    return {"llama": LlamaForCausalLM, "mistral": MistralForCausalLM,
            "falcon": FalconForCausalLM}[config.model_type](config)


def check_param_counts(lab: kit.Lab, cfg: Config) -> dict:
    from transformers import FalconConfig, LlamaConfig, MistralConfig

    small = dict(vocab_size=cfg.vocab, hidden_size=cfg.hidden, num_hidden_layers=2,
                 num_attention_heads=cfg.heads)
    tiny = {
        "tiny Llama (GQA)": LlamaConfig(**small, intermediate_size=cfg.intermediate,
                                        num_key_value_heads=cfg.kv_heads),
        "tiny Llama (tied, biases)": LlamaConfig(**small, intermediate_size=cfg.intermediate,
                                                 num_key_value_heads=cfg.heads,
                                                 tie_word_embeddings=True, attention_bias=True,
                                                 mlp_bias=True),
        "tiny Mistral": MistralConfig(**small, intermediate_size=cfg.intermediate,
                                      num_key_value_heads=cfg.kv_heads, sliding_window=cfg.window),
        "tiny Falcon (multi-query)": FalconConfig(**small, multi_query=True, parallel_attn=True,
                                                  bias=False, new_decoder_architecture=False),
        "tiny Falcon (sequential, biases)": FalconConfig(**small, multi_query=False,
                                                         parallel_attn=False, bias=True,
                                                         new_decoder_architecture=False),
        "tiny Falcon (new arch, GQA)": FalconConfig(**small, num_kv_heads=cfg.kv_heads, bias=True,
                                                    new_decoder_architecture=True),
    }
    counts = {}
    with lab.guard("param_count runs"):
        for name, conf in tiny.items():
            with torch.device("meta"):
                n = sum(p.numel() for p in model_for(conf).parameters())
            lab.check_equal(f"{name}: formula = numel", param_count(conf), n)
        for name, conf in full_size_configs().items():
            with torch.device("meta"):  # shapes only, no memory
                model = model_for(conf)
            n = sum(p.numel() for p in model.parameters())
            parts = {"embeddings": 0, "attention": 0, "MLP": 0, "norms": 0}
            for pname, p in model.named_parameters():
                key = ("embeddings" if ("embed" in pname or "lm_head" in pname) else
                       "attention" if ("attn" in pname or "attention" in pname) else
                       "MLP" if "mlp" in pname else "norms")
                parts[key] += p.numel()
            counts[name] = parts
            lab.check_equal(f"{name}: formula = numel ({n / 1e9:.2f} B)", param_count(conf), n)
            lab.metric(f"params_{name}", n / 1e9, "B")
    return counts


def body(lab: kit.Lab) -> None:
    from transformers import LlamaConfig, MistralConfig
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

    cfg = Config(hidden=lab.pick(64, 256), intermediate=lab.pick(176, 688), layers=lab.pick(2, 4),
                 new_tokens=lab.pick(12, 96))
    dev = lab.torch_device
    lab.note("Claude is API-only: no public weights or config, so it is not built, counted or "
             "called here (no network access).")

    lab.section("parameter counts: config formula vs the built model")
    counts = check_param_counts(lab, cfg)

    common = dict(vocab_size=cfg.vocab, hidden_size=cfg.hidden, intermediate_size=cfg.intermediate,
                  num_hidden_layers=cfg.layers, num_attention_heads=cfg.heads,
                  num_key_value_heads=cfg.kv_heads, max_position_embeddings=256)
    llama = model_for(LlamaConfig(**common)).to(dev).double().eval()
    mistral = model_for(MistralConfig(**common, sliding_window=cfg.window)).to(dev).double().eval()
    hd = cfg.hidden // cfg.heads
    f64 = dict(dtype=torch.float64, device=dev)

    lab.section("RoPE and grouped-query attention")
    q, k = torch.randn(2, cfg.heads, 10, hd, **f64), torch.randn(2, cfg.kv_heads, 10, hd, **f64)
    v = torch.randn(2, cfg.kv_heads, 10, hd, **f64)
    pos = torch.arange(10, device=dev)
    with lab.guard("apply_rope runs"):
        cos, sin = llama.model.rotary_emb(q, pos[None])
        lab.check_close("RoPE = transformers apply_rotary_pos_emb", apply_rope(q, pos),
                        apply_rotary_pos_emb(q, q, cos, sin)[0], rtol=1e-5, atol=1e-6)
        qk = apply_rope(q[:, :1], pos) @ apply_rope(k[:, :1], pos).transpose(-2, -1)
        qk_shift = apply_rope(q[:, :1], pos + 7) @ apply_rope(k[:, :1], pos + 7).transpose(-2, -1)
        lab.check_close("RoPE: q.k depends only on the distance (shift all positions by 7)",
                        qk_shift, qk, rtol=1e-10, atol=1e-12)
        lab.check_close("RoPE keeps vector norms", apply_rope(q, pos).norm(dim=-1), q.norm(dim=-1),
                        rtol=1e-12)
    with lab.guard("gqa_attention runs"):
        causal = torch.ones(10, 10, dtype=torch.bool, device=dev).tril()
        lab.check_close("GQA attention = F.sdpa(enable_gqa=True, causal)",
                        gqa_attention(q, k, v, pos, pos),
                        F.scaled_dot_product_attention(q, k, v, attn_mask=causal, enable_gqa=True),
                        rtol=1e-10)
        band = causal & torch.ones(10, 10, dtype=torch.bool, device=dev).triu(-(cfg.window - 1))
        lab.check_close(f"sliding window W={cfg.window} = F.sdpa with a band mask",
                        gqa_attention(q, k, v, pos, pos, cfg.window),
                        F.scaled_dot_product_attention(q, k, v, attn_mask=band, enable_gqa=True),
                        rtol=1e-10)

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
    with lab.guard("generation with a KV cache"):
        for name, model, window in (("Llama", llama, None), ("Mistral", mistral, cfg.window)):
            with lab.timer() as t_full:
                full_tok, full_logits, _ = generate(model, prompt, cfg.new_tokens, False, window)
            with lab.timer() as t_cache:
                tok, logits, biggest = generate(model, prompt, cfg.new_tokens, True, window)
            lab.check_equal(f"{name}: cached greedy tokens = full recompute", tok.tolist(),
                            full_tok.tolist())
            lab.check_close(f"{name}: cached logits = full recompute", logits, full_logits,
                            rtol=1e-9, atol=1e-12)
            with torch.no_grad():
                hf = model(tok[:, :-1]).logits[:, cfg.prompt - 1:]
            lab.check_close(f"{name}: cached logits = transformers on the whole sequence",
                            logits, hf, rtol=cfg.logits_rtol, atol=1e-7)
            if window:
                lab.check_le(f"{name}: rolling KV cache never holds more than W={window} positions",
                             biggest, window)
            lab.metric(f"{name.lower()}_kv_cache_speedup", t_full.seconds / t_cache.seconds, "x")

    if counts:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
        names, bottom = list(counts), [0.0] * len(counts)
        for part in ("embeddings", "attention", "MLP", "norms"):
            vals = [counts[n][part] / 1e9 for n in names]
            ax1.bar(names, vals, bottom=bottom, label=part)
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
        ax1.set(ylabel="parameters (billions)", title="where the parameters are")
        ax1.legend(fontsize=8)
        confs = full_size_configs()
        kv = [2 * c.num_hidden_layers * kv_heads(c) * (c.hidden_size // c.num_attention_heads)
              * 2 / 1024 for c in confs.values()]  # K and V, every layer, 2 bytes each
        ax2.bar(list(confs), kv, color="tab:purple")
        ax2.set(yscale="log", ylabel="KiB per token (fp16)",
                title="KV cache: MHA vs GQA vs multi-query")
        for ax in (ax1, ax2):
            ax.tick_params(axis="x", labelsize=8, rotation=20)
        lab.savefig(fig, "open_llm_params.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("open-llm-architectures", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
