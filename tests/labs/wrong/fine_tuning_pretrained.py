"""A deliberately wrong solution: mean pooling divides by the padded length (padding counts
as tokens), and greedy decoding reads the logits of the first position instead of the last."""

import torch


def mean_pool(hidden, attention_mask):
    m = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(dim=1) / hidden.shape[1]  # divides by T, padding included


def greedy_decode(model, src, bos, eos, max_len):
    ys = torch.full((src.shape[0], 1), bos, dtype=torch.long, device=src.device)
    for _ in range(max_len):
        nxt = model(src, ys)[:, 0].argmax(-1)  # always the first position's prediction
        ys = torch.cat([ys, nxt[:, None]], dim=1)
        if (ys == eos).any(dim=1).all():
            break
    return ys
