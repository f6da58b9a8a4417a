"""Bug: no dynamic_shapes, so the example's batch size (8) is baked into the program."""

import torch


def export_with_dynamic_batch(model, example):
    model.eval()
    return torch.export.export(model, (example,))
