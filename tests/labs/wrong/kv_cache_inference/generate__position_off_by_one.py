"""Bug: the first decoded token is placed at position len(prompt) + 1 instead of len(prompt):
every decode step's positional embedding is one too far."""

import torch


def generate(model, prompt, n_new):
    logits, cache = model(prompt, model.empty_cache(prompt.shape[0]), 0)
    tokens, steps = [], []
    for i in range(n_new):
        steps.append(logits[:, -1])
        tokens.append(steps[-1].argmax(dim=-1))
        if i + 1 < n_new:
            logits, cache = model(tokens[-1][:, None], cache, prompt.shape[1] + i + 1)
    return torch.stack(tokens, dim=1), torch.stack(steps, dim=1)
