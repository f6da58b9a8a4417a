"""Bug: judges the driver by nvidia-smi's "CUDA Version" major alone, so a CUDA 11.0 driver
(450.51.06, older than 11.x's minor-version minimum 450.80.02) passes for a cu118 wheel."""

import re


def find_problems(r):
    probs = set()
    build, gpus = r.get("torch_cuda_build"), r.get("smi_gpus") or []
    if build is None:
        return {"cpu-build-but-gpu-present"} if gpus else probs
    if gpus and not r.get("cuda_available"):
        probs.add("cuda-build-but-unavailable")
    if r.get("driver_cuda") and int(r["driver_cuda"].split(".")[0]) < int(build.split(".")[0]):
        probs.add("driver-too-old")
    if r.get("cudnn") is None:
        probs.add("cudnn-missing")
    for dev in r.get("devices") or []:
        M, m = dev["capability"]
        runs = False
        for arch in r.get("arch_list") or []:
            a = re.fullmatch(r"(sm|compute)_(\d+)(\d)a?", arch)
            if a and a[1] == "sm" and int(a[2]) == M and int(a[3]) <= m:
                runs = True
            if a and a[1] == "compute" and (int(a[2]), int(a[3])) <= (M, m):
                runs = True
        if not runs:
            probs.add("arch-not-compiled")
        if dev["bf16"] != ((M, m) >= (8, 0)):
            probs.add("bf16-mismatch")
    return probs
