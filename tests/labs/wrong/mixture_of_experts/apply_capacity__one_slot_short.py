"""Bug: off by one: a pair is kept while its 1-based position is < capacity, not <=."""

import torch.nn.functional as F


def apply_capacity(experts, num_experts, capacity):
    onehot = F.one_hot(experts.T.reshape(-1), num_experts)
    position = (onehot.cumsum(0) * onehot).sum(-1)
    return (position < capacity).reshape(experts.shape[1], -1).T
