"""Bug: the heads' outputs (B, heads, Tq, hd) are reshaped to (B, Tq, E) without moving the
head axis back next to hd, so each output row mixes positions and heads."""

from attention_transformers import scaled_dot_product_attention


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias, num_heads, mask=None):
    B, Tq, E = query.shape
    Tk, hd = key.shape[1], E // num_heads
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q, b_k, b_v = in_proj_bias.chunk(3)
    q = (query @ w_q.T + b_q).view(B, Tq, num_heads, hd).transpose(1, 2)
    k = (key @ w_k.T + b_k).view(B, Tk, num_heads, hd).transpose(1, 2)
    v = (value @ w_v.T + b_v).view(B, Tk, num_heads, hd).transpose(1, 2)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    out = out.reshape(B, Tq, E)
    return out @ out_proj_weight.T + out_proj_bias, weights
