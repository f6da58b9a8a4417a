"""A deliberately wrong solution: exports in training mode with a fixed batch size, and
returns ONNX Runtime's list of outputs instead of the first output."""

import numpy as np
import torch


def export_onnx(model, example, path):
    # forgot model.eval(): BatchNorm uses batch statistics, Dropout stays on;
    # forgot dynamic_shapes: the batch size of `example` is baked into the graph
    torch.onnx.export(model, (example,), str(path), dynamo=True, input_names=["x"],
                      output_names=["logits"], verbose=False)


def run_onnx(path, x):
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: x.astype(np.float32)})  # list, not [0]
