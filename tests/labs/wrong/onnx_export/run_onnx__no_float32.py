"""Bug: feeds the array as it comes (float64 here); ONNX Runtime rejects a dtype that is
not the file's float32."""


def run_onnx(path, x):
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: x})[0]
