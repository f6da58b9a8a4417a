"""Averages the answer's token log-probs (a per-token mean) instead of summing them."""

import torch.nn.functional as F


def sequence_logprob(logits, ids, mask):
    logp = F.log_softmax(logits[:, :-1], dim=-1).gather(2, ids[:, 1:, None])[..., 0]
    return (logp * mask[:, 1:]).sum(1) / mask[:, 1:].sum(1)
