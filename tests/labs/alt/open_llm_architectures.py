"""Another idiom: the parameter count summed module by module from a dict of shapes, RoPE as
Hugging Face writes it (float32 inv_freq and cos/sin tables, rotate_half), and grouped-query
attention that reshapes the queries into (B, KV, group, T, hd) instead of repeating k and v."""

import math

import torch


def param_count(config):
    d, V, L = config.hidden_size, config.vocab_size, config.num_hidden_layers
    H = config.num_attention_heads
    hd = getattr(config, "head_dim", None) or d // H
    shapes = {"embed": V * d, "lm_head": 0 if config.tie_word_embeddings else V * d}
    if config.model_type == "falcon":
        if config.new_decoder_architecture:
            qkv_out = (H + 2 * config.num_kv_heads) * hd
        elif config.multi_query:
            qkv_out = d + 2 * hd
        else:
            qkv_out = 3 * d
        ffn = config.ffn_hidden_size
        linears = [(d, qkv_out), (d, d), (d, ffn), (ffn, d)]  # (in, out)
        per_layer = sum(i * o + (o if config.bias else 0) for i, o in linears)
        if not config.parallel_attn:
            n_ln = 2
        elif config.num_ln_in_parallel_attn is not None:
            n_ln = config.num_ln_in_parallel_attn
        else:
            n_ln = 2 if config.new_decoder_architecture else 1
        per_layer += n_ln * 2 * d  # LayerNorm weight and bias
        shapes["final_norm"] = 2 * d
    else:
        KV, ffn = config.num_key_value_heads, config.intermediate_size
        ab, mb = getattr(config, "attention_bias", False), getattr(config, "mlp_bias", False)
        attn = [(d, H * hd), (d, KV * hd), (d, KV * hd), (H * hd, d)]
        mlp = [(d, ffn), (d, ffn), (ffn, d)]
        per_layer = sum(i * o + (o if ab else 0) for i, o in attn)
        per_layer += sum(i * o + (o if mb else 0) for i, o in mlp)
        per_layer += 2 * d  # input and post-attention RMSNorm weights
        shapes["final_norm"] = d
    shapes["layers"] = L * per_layer
    return sum(shapes.values())


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(x, positions, theta=10000.0):
    dim = x.shape[-1]
    inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    freqs = positions.float()[:, None].cpu() * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(x.device, x.dtype), emb.sin().to(x.device, x.dtype)
    return (x * cos) + (rotate_half(x) * sin)


def gqa_attention(q, k, v, q_pos, k_pos, window=None):
    B, H, Tq, hd = q.shape
    KV = k.shape[1]
    qg = q.reshape(B, KV, H // KV, Tq, hd)  # query heads grouped by their KV head
    scores = torch.einsum("bkgqd,bksd->bkgqs", qg, k) / math.sqrt(hd)
    dist = q_pos[:, None] - k_pos[None, :]  # (Tq, Tk)
    mask = dist >= 0
    if window is not None:
        mask = mask & (dist < window)
    scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.einsum("bkgqs,bksd->bkgqd", scores.softmax(dim=-1), v)
    return out.reshape(B, H, Tq, hd)
