"""Bug: never uses the cache after the prefill: every step reruns the whole sequence from
scratch (right tokens, O(T^2) work)."""

import torch


def generate(model, prompt, n_new):
    seq = prompt
    tokens, steps = [], []
    for _ in range(n_new):
        logits, _cache = model(seq, model.empty_cache(seq.shape[0]), 0)
        steps.append(logits[:, -1])
        tokens.append(steps[-1].argmax(dim=-1))
        seq = torch.cat([seq, tokens[-1][:, None]], dim=1)
    return torch.stack(tokens, dim=1), torch.stack(steps, dim=1)
