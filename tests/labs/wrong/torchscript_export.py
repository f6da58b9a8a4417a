"""A deliberately wrong solution: the export forgets dynamic_shapes (the batch size is
baked in), and the gate averages over the whole batch instead of each row."""

import torch
import torch.nn.functional as F


def export_with_dynamic_batch(model, example):
    return torch.export.export(model, (example,))  # static shapes only


def branch_free_gate(x):
    positive = x.mean() > 0  # one decision for the whole batch
    return torch.where(positive, F.relu(x), 0.1 * x)
