"""Another idiom: the TorchScript-based exporter (dynamo=False) with dynamic_axes, and an
ONNX Runtime session that reads its input and output names from the file."""

import warnings

import numpy as np
import onnxruntime as ort
import torch


def export_onnx(model, example, path):
    model.train(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter announces its deprecation
        torch.onnx.export(model, example, path, dynamo=False, opset_version=18,
                          input_names=["x"], output_names=["logits"],
                          dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})


def run_onnx(path, x):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    (inp,), (out,) = session.get_inputs(), session.get_outputs()
    (logits,) = session.run([out.name], {inp.name: np.ascontiguousarray(x, dtype=np.float32)})
    return logits
