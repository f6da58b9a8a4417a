"""Another idiom: attention by F.scaled_dot_product_attention with a mask built from absolute
positions, a while-loop generator that grows the sequence with torch.cat (HF-style), and a
cost model summed component by component."""

import torch
import torch.nn.functional as F


def cached_attention(q, k_new, v_new, k_cache, v_cache):
    past = k_cache.size(-2)
    keys = torch.cat((k_cache, k_new), dim=-2)
    values = torch.cat((v_cache, v_new), dim=-2)
    q_pos = torch.arange(past, past + q.size(-2)).unsqueeze(-1)  # absolute query positions
    k_pos = torch.arange(keys.size(-2)).unsqueeze(0)
    out = F.scaled_dot_product_attention(q, keys, values, attn_mask=k_pos <= q_pos)
    return out, keys, values


def generate(model, prompt, n_new):
    batch, length = prompt.shape
    past = model.empty_cache(batch)
    next_input, position = prompt, 0
    out_tokens = torch.empty(batch, 0, dtype=torch.long)
    out_logits = []
    while out_tokens.size(1) < n_new:
        logits, past = model(next_input, past, position)
        position += next_input.size(1)
        last = logits[:, -1, :]
        out_logits.append(last.unsqueeze(1))
        next_input = last.argmax(-1, keepdim=True)
        out_tokens = torch.cat((out_tokens, next_input), dim=1)
    return out_tokens, torch.cat(out_logits, dim=1)


def phase_cost(cfg, batch, n_past, n_new, bytes_per_value=2):
    d = cfg.d_model
    shapes = [(d, 3 * d), (d, d), (d, cfg.d_ff), (cfg.d_ff, d)] * cfg.n_layers
    shapes.append((d, cfg.vocab))
    n_tok = batch * n_new
    linear_flops = sum(2 * n_tok * i * o for i, o in shapes)
    keys = n_past + n_new
    attn_flops = cfg.n_layers * (2 * n_tok * keys * d + 2 * n_tok * keys * d)  # QK^T, PV
    weight_bytes = sum(i * o for i, o in shapes) * bytes_per_value
    cache_bytes = cfg.n_layers * 2 * batch * keys * d * bytes_per_value
    flops = linear_flops + attn_flops
    total = weight_bytes + cache_bytes
    return {"flops": flops, "bytes": total, "intensity": flops / total}
