"""Bug: labels 0 instead of -100 where nothing was selected (token 0 is padding,
which the loss would then learn to predict)."""

import torch


def mlm_mask(ids, special, vocab_size, mask_id, generator, p=0.15):
    selected = (torch.rand(ids.shape, generator=generator) < p) & ~special
    labels = torch.where(selected, ids, torch.zeros_like(ids))
    r = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(0, vocab_size, ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[selected & (r < 0.8)] = mask_id
    rnd = selected & (r >= 0.8) & (r < 0.9)
    inputs[rnd] = random_ids[rnd]
    return inputs, labels
