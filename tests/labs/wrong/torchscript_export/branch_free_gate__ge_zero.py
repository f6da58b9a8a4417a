"""Bug: `>= 0` where the rule says strictly `> 0`: a row whose mean is exactly 0 gets relu."""

import torch
import torch.nn.functional as F


def branch_free_gate(x):
    return torch.where(x.mean(dim=-1, keepdim=True) >= 0, F.relu(x), 0.1 * x)
