"""Bug: no dynamic_shapes, so the example's batch size (2) is fixed in the file and ONNX
Runtime refuses any other."""

import torch


def export_onnx(model, example, path):
    model.eval()
    torch.onnx.export(model, (example,), str(path), dynamo=True, opset_version=18,
                      input_names=["x"], output_names=["logits"])
