"""Bug: compares the logits at t with the label at t (no shift): the model learns to copy
its input."""

import torch.nn.functional as F


def sft_loss(logits, labels):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                           ignore_index=-100)
