"""Bug: a kernel exactly at the ridge point is called memory-bound (<= instead of <)."""


def roofline(flops, nbytes, peak_tflops, bandwidth_tbps):
    ai = flops / nbytes
    return {"intensity": ai, "attainable_tflops": min(peak_tflops, ai * bandwidth_tbps),
            "bound": "memory" if ai <= peak_tflops / bandwidth_tbps else "compute"}
