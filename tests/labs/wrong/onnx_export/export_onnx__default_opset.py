"""Bug: leaves the exporter's default opset (newer than 18), so the file uses operators
(Gelu) that a runtime stopping at opset 18 does not have."""

import torch


def export_onnx(model, example, path):
    model.eval()
    batch = torch.export.Dim("batch")
    torch.onnx.export(model, (example,), str(path), dynamo=True, input_names=["x"],
                      output_names=["logits"], dynamic_shapes=({0: batch},))
