"""A deliberately wrong solution: the first digit of the tag is taken as the major version
("cu118" -> "1.18"), and a GPU must match an arch in the list exactly (no cubin minor-version
compatibility, no PTX just-in-time compilation)."""

import re


def parse_cuda_tag(version):
    m = re.search(r"\+cu(\d)(\d+)", version)  # bug: splits after the first digit
    return f"{m[1]}.{m[2]}" if m else None


def find_problems(r):
    probs = set()
    build, gpus = r.get("torch_cuda_build"), r.get("smi_gpus") or []
    if build is None:
        return {"cpu-build-but-gpu-present"} if gpus else probs
    if gpus and not r.get("cuda_available"):
        probs.add("cuda-build-but-unavailable")
    if r.get("driver_cuda") and float(r["driver_cuda"]) < float(build):
        probs.add("driver-too-old")
    if r.get("cudnn") is None:
        probs.add("cudnn-missing")
    for dev in r.get("devices") or []:
        M, m = dev["capability"]
        if f"sm_{M}{m}" not in (r.get("arch_list") or []):  # bug: exact match only
            probs.add("arch-not-compiled")
        if dev["bf16"] != (M >= 8):
            probs.add("bf16-mismatch")
    return probs
