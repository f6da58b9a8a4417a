"""Bug: the roof is taken as the higher of the two ceilings instead of the lower."""


def roofline(flops, nbytes, peak_tflops, bandwidth_tbps):
    ai = flops / nbytes
    return {"intensity": ai, "attainable_tflops": max(peak_tflops, ai * bandwidth_tbps),
            "bound": "memory" if ai < peak_tflops / bandwidth_tbps else "compute"}
