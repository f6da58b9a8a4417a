"""Bug: reads the KV cache once for the whole batch, as if it were shared like the weights;
each sequence has its own cache."""


def phase_cost(cfg, batch, n_past, n_new, bytes_per_value=2):
    d, tokens = cfg.d_model, batch * n_new
    weights = cfg.n_layers * (4 * d * d + 2 * d * cfg.d_ff) + d * cfg.vocab
    flops = 2 * tokens * weights + cfg.n_layers * 4 * tokens * (n_past + n_new) * d
    nbytes = (weights + cfg.n_layers * 2 * (n_past + n_new) * d) * bytes_per_value
    return {"flops": flops, "bytes": nbytes, "intensity": flops / nbytes}
