"""Bug: exports the model in the mode it arrived in (training): BatchNorm uses the batch's
statistics and Dropout stays in the graph."""

import torch


def export_onnx(model, example, path):
    batch = torch.export.Dim("batch")
    torch.onnx.export(model, (example,), str(path), dynamo=True, opset_version=18,
                      input_names=["x"], output_names=["logits"], dynamic_shapes=({0: batch},))
