"""Bug: counts multiply-adds, not FLOPs (one multiply-add is 2 FLOPs)."""


def phase_cost(cfg, batch, n_past, n_new, bytes_per_value=2):
    d, tokens = cfg.d_model, batch * n_new
    weights = cfg.n_layers * (4 * d * d + 2 * d * cfg.d_ff) + d * cfg.vocab
    flops = tokens * weights + cfg.n_layers * 2 * tokens * (n_past + n_new) * d
    nbytes = (weights + cfg.n_layers * 2 * batch * (n_past + n_new) * d) * bytes_per_value
    return {"flops": flops, "bytes": nbytes, "intensity": flops / nbytes}
