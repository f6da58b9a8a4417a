"""Bug: the MLP reads the block's input, not the attention output (a GPT-J style
parallel block, which is not what Block.forward computes)."""

import torch
import torch.nn.functional as F


def _attend(q, k, v, heads):
    b, tq, d = q.shape
    split = lambda z: z.view(b, z.shape[1], heads, d // heads).transpose(1, 2)  # noqa: E731
    out = F.scaled_dot_product_attention(split(q), split(k), split(v))
    return out.transpose(1, 2).reshape(b, tq, d)


def kv_cache_step(block, x, cache):
    q, k, v = block.qkv(block.ln1(x)).chunk(3, dim=-1)
    if "k" in cache:
        k, v = torch.cat([cache["k"], k], dim=1), torch.cat([cache["v"], v], dim=1)
    cache["k"], cache["v"] = k, v
    out = _attend(q, k, v, block.heads)
    return x + block.proj(out) + block.mlp(block.ln2(x))
