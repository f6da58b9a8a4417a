"""Bug: the SwiGLU MLP counted as two matrices (up, down), forgetting the gate."""


def param_count(config) -> int:
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
    mlp = 2 * d * inter + ((2 * inter + d) if getattr(config, "mlp_bias", False) else 0)
    return V * d + L * (attn + mlp + 2 * d) + d + head
