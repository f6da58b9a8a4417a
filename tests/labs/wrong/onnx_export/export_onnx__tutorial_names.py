"""Bug: the tutorial's names "input" and "output" instead of the "x" and "logits" the
serving code expects."""

import torch


def export_onnx(model, example, path):
    model.eval()
    batch = torch.export.Dim("batch")
    torch.onnx.export(model, (example,), str(path), dynamo=True, opset_version=18,
                      input_names=["input"], output_names=["output"],
                      dynamic_shapes=({0: batch},))
