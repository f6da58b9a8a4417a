"""Bug: the mean over dim 0 (each column across the batch) instead of each row."""

import torch
import torch.nn.functional as F


def branch_free_gate(x):
    return torch.where(x.mean(dim=0, keepdim=True) > 0, F.relu(x), 0.1 * x)
