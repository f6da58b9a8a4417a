"""Bug: one random token id for the whole batch instead of one per position."""

import torch


def mlm_mask(ids, special, vocab_size, mask_id, generator, p=0.15):
    selected = (torch.rand(ids.shape, generator=generator) < p) & ~special
    labels = torch.where(selected, ids, torch.full_like(ids, -100))
    r = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(0, vocab_size, (1,), generator=generator).expand(ids.shape)
    inputs = ids.clone()
    inputs[selected & (r < 0.8)] = mask_id
    rnd = selected & (r >= 0.8) & (r < 0.9)
    inputs[rnd] = random_ids[rnd]
    return inputs, labels
