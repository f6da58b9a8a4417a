"""Bug: returns the runnable module (ep.module()) instead of the ExportedProgram, so there
is nothing to save with torch.export.save or to inspect."""

import torch


def export_with_dynamic_batch(model, example):
    model.eval()
    batch = torch.export.Dim("batch")
    ep = torch.export.export(model, (example,), dynamic_shapes=({0: batch},))
    return ep.module()
