"""Bug: draws the 10% random replacement as an independent 10% of the tokens left,
so only 0.2 x 0.1 = 2% of the selected become random tokens."""

import torch


def mlm_mask(ids, special, vocab_size, mask_id, generator, p=0.15):
    selected = (torch.rand(ids.shape, generator=generator) < p) & ~special
    labels = torch.where(selected, ids, torch.full_like(ids, -100))
    r = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(0, vocab_size, ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[selected & (r < 0.8)] = mask_id
    rnd = selected & (r >= 0.8) & (torch.rand(ids.shape, generator=generator) < 0.1)
    inputs[rnd] = random_ids[rnd]
    return inputs, labels
