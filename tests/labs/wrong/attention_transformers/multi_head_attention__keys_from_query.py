"""Bug: written for self-attention only: keys and values are projected from ``query``."""

from attention_transformers import scaled_dot_product_attention


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias, num_heads, mask=None):
    B, T, E = query.shape
    hd = E // num_heads
    qkv = query @ in_proj_weight.T + in_proj_bias  # (B, T, 3E)
    q, k, v = (t.view(B, T, num_heads, hd).transpose(1, 2) for t in qkv.chunk(3, dim=-1))
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    out = out.transpose(1, 2).reshape(B, T, E)
    return out @ out_proj_weight.T + out_proj_bias, weights
