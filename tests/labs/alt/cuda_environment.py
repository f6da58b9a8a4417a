"""Another idiom: string methods instead of one regex, packaging.version for driver versions,
and find_problems as a list of named rules over a report."""

from cuda_environment import load_driver_table
from packaging.version import Version


def parse_cuda_tag(version):
    _, _, local = version.partition("+")
    if not (local.startswith("cu") and local[2:].isdigit() and len(local) >= 4):
        return None
    digits = local[2:]
    return f"{int(digits[:-1])}.{digits[-1]}"


def driver_compatibility(driver, cuda, table):
    have = Version(driver)
    if cuda in table["toolkit"] and have >= Version(table["toolkit"][cuda]):
        return "full"
    major = cuda.split(".")[0]
    compat = table["minor_version_compatibility"].get(major)
    if compat is not None and have >= Version(compat):
        return "minor-version"
    return "unsupported"


def _runs_on(capability, arch_list):
    major, minor = capability
    for arch in arch_list:
        kind, _, num = arch.removesuffix("a").partition("_")
        want = (int(num[:-1]), int(num[-1]))
        if kind == "sm" and want[0] == major and want[1] <= minor:
            return True
        if kind == "compute" and want <= (major, minor):
            return True
    return False


def find_problems(r):
    if r.get("torch_cuda_build") is None:
        return {"cpu-build-but-gpu-present"} if r.get("smi_gpus") else set()
    rules = [
        ("cuda-build-but-unavailable", bool(r.get("smi_gpus")) and not r.get("cuda_available")),
        ("driver-too-old", bool(r.get("driver")) and driver_compatibility(
            r["driver"], r["torch_cuda_build"], load_driver_table()) == "unsupported"),
        ("cudnn-missing", r.get("cudnn") is None),
        ("arch-not-compiled", any(not _runs_on(d["capability"], r.get("arch_list") or [])
                                  for d in r.get("devices") or [])),
        ("bf16-mismatch", any(d["bf16"] != (tuple(d["capability"]) >= (8, 0))
                              for d in r.get("devices") or [])),
    ]
    return {code for code, hit in rules if hit}
