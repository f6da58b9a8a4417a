"""Another idiom: masks from comparisons of index grids, attention with einsum over an
explicit head axis (nanoGPT / d2l style), the cache as lists of per-step tensors joined
on demand, and Hugging Face's DataCollatorForLanguageModeling recipe (Bernoulli draws on
a probability matrix) for the MLM masking."""

import torch


def causal_mask(t):
    i = torch.arange(t)
    return i[:, None] >= i[None, :]


def padding_mask(lengths, t):
    real = torch.arange(t).expand(len(lengths), t) < lengths.unsqueeze(1)
    return real.unsqueeze(1)


def multi_head_attention(q, k, v, n_heads, mask=None):
    b, tq, d = q.shape
    hd = d // n_heads
    qh = q.reshape(b, tq, n_heads, hd)
    kh = k.reshape(b, k.shape[1], n_heads, hd)
    vh = v.reshape(b, v.shape[1], n_heads, hd)
    att = torch.einsum("bqhd,bkhd->bhqk", qh, kh) * hd ** -0.5
    if mask is not None:
        att = att.masked_fill(mask[..., None, :, :].logical_not(), float("-inf"))
    att = att.softmax(-1)
    out = torch.einsum("bhqk,bkhd->bqhd", att, vh).reshape(b, tq, d)
    return out, att


def kv_cache_step(block, x, cache):
    h = block.ln1(x)
    d = x.shape[-1]
    w_q, w_k, w_v = block.qkv.weight.split(d, dim=0)
    b_q, b_k, b_v = block.qkv.bias.split(d, dim=0)
    q = h @ w_q.T + b_q
    cache.setdefault("_k", []).append(h @ w_k.T + b_k)
    cache.setdefault("_v", []).append(h @ w_v.T + b_v)
    cache["k"] = torch.cat(cache["_k"], dim=1)
    cache["v"] = torch.cat(cache["_v"], dim=1)
    att, _ = multi_head_attention(q, cache["k"], cache["v"], block.heads)
    x = x + block.proj(att)
    return x + block.mlp(block.ln2(x))


def mlm_mask(ids, special, vocab_size, mask_id, generator, p=0.15):
    labels = ids.clone()
    inputs = ids.clone()
    probability = torch.full(ids.shape, p)
    probability.masked_fill_(special, 0.0)
    masked = torch.bernoulli(probability, generator=generator).bool()
    labels[~masked] = -100
    replaced = torch.bernoulli(torch.full(ids.shape, 0.8), generator=generator).bool() & masked
    inputs[replaced] = mask_id
    rand = torch.bernoulli(torch.full(ids.shape, 0.5), generator=generator).bool()
    rand = rand & masked & ~replaced
    words = torch.randint(vocab_size, ids.shape, dtype=ids.dtype, generator=generator)
    inputs[rand] = words[rand]
    return inputs, labels
