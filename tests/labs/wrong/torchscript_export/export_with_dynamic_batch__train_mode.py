"""Bug: exports the model in the mode it arrived in (training): BatchNorm normalises with
the batch's own statistics and Dropout stays on."""

import torch


def export_with_dynamic_batch(model, example):
    batch = torch.export.Dim("batch")
    return torch.export.export(model, (example,), dynamic_shapes=({0: batch},))
