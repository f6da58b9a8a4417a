"""Bug: takes the labels from the corrupted inputs, so most labels are [MASK]."""

import torch


def mlm_mask(ids, special, vocab_size, mask_id, generator, p=0.15):
    selected = (torch.rand(ids.shape, generator=generator) < p) & ~special
    r = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(0, vocab_size, ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[selected & (r < 0.8)] = mask_id
    rnd = selected & (r >= 0.8) & (r < 0.9)
    inputs[rnd] = random_ids[rnd]
    labels = torch.where(selected, inputs, torch.full_like(ids, -100))
    return inputs, labels
