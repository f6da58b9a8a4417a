"""Bug: one decision for the whole batch (x.mean() over every element), not one per row."""

import torch
import torch.nn.functional as F


def branch_free_gate(x):
    return torch.where(x.mean() > 0, F.relu(x), 0.1 * x)
