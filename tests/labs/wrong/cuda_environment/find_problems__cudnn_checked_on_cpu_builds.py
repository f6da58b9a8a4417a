"""Bug: checks for cuDNN before looking at the build, so every CPU build "misses" cuDNN."""

import re

from cuda_environment import driver_compatibility, load_driver_table


def find_problems(r):
    probs = set()
    if r.get("cudnn") is None:
        probs.add("cudnn-missing")
    build, gpus = r.get("torch_cuda_build"), r.get("smi_gpus") or []
    if build is None:
        return probs | ({"cpu-build-but-gpu-present"} if gpus else set())
    if gpus and not r.get("cuda_available"):
        probs.add("cuda-build-but-unavailable")
    if r.get("driver") and driver_compatibility(r["driver"], build,
                                                load_driver_table()) == "unsupported":
        probs.add("driver-too-old")
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
