"""Bug: averages each sequence's loss, then the sequences: a short reply weighs as much as
a long conversation (transformers averages over the trained tokens of the batch)."""

import torch
import torch.nn.functional as F


def sft_loss(logits, labels):
    per_seq = []
    for lg, lb in zip(logits[:, :-1], labels[:, 1:], strict=True):
        if (lb != -100).any():
            per_seq.append(F.cross_entropy(lg, lb, ignore_index=-100))
    return torch.stack(per_seq).mean()
