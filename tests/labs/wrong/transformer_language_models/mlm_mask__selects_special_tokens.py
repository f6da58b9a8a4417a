"""Bug: forgets the special-token mask: [CLS], [SEP] and padding can be selected."""

import torch


def mlm_mask(ids, special, vocab_size, mask_id, generator, p=0.15):
    selected = torch.rand(ids.shape, generator=generator) < p
    labels = torch.where(selected, ids, torch.full_like(ids, -100))
    r = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(0, vocab_size, ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[selected & (r < 0.8)] = mask_id
    rnd = selected & (r >= 0.8) & (r < 0.9)
    inputs[rnd] = random_ids[rnd]
    return inputs, labels
