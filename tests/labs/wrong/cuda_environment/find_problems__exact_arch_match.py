"""Bug: a GPU must match an arch in the list exactly (no cubin minor-version compatibility, no
PTX just-in-time compilation)."""

from cuda_environment import driver_compatibility, load_driver_table


def find_problems(r):
    probs = set()
    build, gpus = r.get("torch_cuda_build"), r.get("smi_gpus") or []
    if build is None:
        return {"cpu-build-but-gpu-present"} if gpus else probs
    if gpus and not r.get("cuda_available"):
        probs.add("cuda-build-but-unavailable")
    if r.get("driver") and driver_compatibility(r["driver"], build,
                                                load_driver_table()) == "unsupported":
        probs.add("driver-too-old")
    if r.get("cudnn") is None:
        probs.add("cudnn-missing")
    for dev in r.get("devices") or []:
        M, m = dev["capability"]
        if f"sm_{M}{m}" not in (r.get("arch_list") or []):
            probs.add("arch-not-compiled")
        if dev["bf16"] != ((M, m) >= (8, 0)):
            probs.add("bf16-mismatch")
    return probs
