"""Bug: intensity taken as bytes per FLOP (the machine-balance convention) instead of FLOPs
per byte, guarded against the copy's zero FLOPs."""


def roofline(flops, nbytes, peak_tflops, bandwidth_tbps):
    ai = nbytes / flops if flops else float("inf")
    return {"intensity": ai, "attainable_tflops": min(peak_tflops, ai * bandwidth_tbps),
            "bound": "memory" if ai < peak_tflops / bandwidth_tbps else "compute"}
