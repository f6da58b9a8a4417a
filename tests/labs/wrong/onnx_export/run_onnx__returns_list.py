"""Bug: returns ONNX Runtime's list of outputs instead of the first output."""

import numpy as np


def run_onnx(path, x):
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: x.astype(np.float32)})
