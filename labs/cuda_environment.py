"""CUDA environment: drivers, CUDA, cuDNN and framework compatibility - an environment doctor.

A GPU program needs a chain of compatible pieces. The kernel driver (shown by nvidia-smi)
comes from the system. NVIDIA publishes the minimum driver of every CUDA release: CUDA 12.4
needs >= 550.54.14 on Linux for full compatibility; from CUDA 11 on, any 12.x runtime also
runs on a driver >= 525.60.13 (minor-version compatibility, with limits such as no JIT of
newer PTX), while across major versions there is no compatibility (CUDA 13 needs >= 580).
Driver versions are dotted numbers compared field by field, as integers: 535.104.05 is newer
than 535.54.03. A PyTorch wheel bundles its CUDA runtime and cuDNN (the nvidia-* pip
packages), so only the driver has to come from the system; the local nvcc does not matter.
The wheel's tag says which runtime it was built for ("2.11.0+cu130" = CUDA 13.0, "+cpu" =
none), and it carries machine code for a list of GPU architectures (``sm_80``, ``sm_90``
...): cubins run on GPUs of the same major compute capability and an equal or higher minor,
PTX (``compute_XY``) is compiled just in time for newer GPUs. bf16 needs compute capability
8.0 (Ampere) or newer; it keeps 8 significant bits, so a bf16 matmul differs from fp32 by
about 2^-8 (relative), never by much more.

``doctor()`` collects all this (torch, its CUDA build, cuDNN, NCCL, devices, the driver from
nvidia-smi / NVML / /proc) and names every inconsistency; it imports nothing heavy at module
import time, so the app's System page can call it (``from labs.cuda_environment import
doctor``). The lab checks the learner's version-tag parser and consistency rules on planted
broken environments and your driver check against NVIDIA's published minimum-driver table
(labs/data/cuda_environment/cuda_drivers.json), then checks this machine's report against
independent sources (package metadata, the wheel tag, nvidia-smi) and that a CPU-only
machine reports "no CUDA" cleanly.

$ python labs/cuda_environment.py --quick
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

EXERCISES = ("parse_cuda_tag", "driver_compatibility", "find_problems")
KEYS = ("python", "platform", "torch", "torch_cuda_build", "cudnn", "nccl", "cuda_available",
        "devices", "arch_list", "driver", "driver_cuda", "driver_support", "nvidia_smi",
        "smi_gpus", "problems", "status", "summary")
DRIVERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "cuda_environment",
                       "cuda_drivers.json")


@dataclass
class Config:
    smi_timeout_s: float = 10.0  # nvidia-smi can hang on a broken driver: never wait longer


def parse_cuda_tag(version: str) -> str | None:
    """CUDA version a torch wheel was built for, from its version tag.

    "2.11.0+cu130" -> "13.0", "2.1.0+cu118" -> "11.8", "1.4.0+cu92" -> "9.2";
    "2.13.0+cpu", "2.5.0+rocm6.2" or no tag -> None. The last digit is the minor version.
    """
    m = re.search(r"\+cu(\d+)(\d)(?:\b|$)", version)
    return f"{m[1]}.{m[2]}" if m else None


@functools.lru_cache(maxsize=1)
def load_driver_table() -> dict:
    """NVIDIA's minimum Linux drivers: {"toolkit": {"12.4": "550.54.14", ...},
    "minor_version_compatibility": {"12": "525.60.13", ...}} (see the data README)."""
    with open(DRIVERS) as fh:
        return json.load(fh)


def driver_compatibility(driver: str, cuda: str, table: dict) -> str:
    """How a driver (e.g. "535.104.05") runs CUDA ``cuda`` ("12.4"), per NVIDIA's table.

    - "full": the driver is at least ``table["toolkit"][cuda]``, the minimum driver of that
      CUDA release (a CUDA version missing from the table cannot be "full");
    - "minor-version": otherwise, if it is at least
      ``table["minor_version_compatibility"][major]`` for the CUDA major version (a major
      missing there has no minor-version compatibility);
    - "unsupported": neither.

    Versions compare field by field as integers ("535.104.05" > "535.54.03"; "580" means
    580.0.0, a missing field counts as 0).
    """
    def key(v: str) -> tuple:
        return tuple(int(f) for f in v.split("."))

    def at_least(v: str, minimum: str) -> bool:
        a, b = key(v), key(minimum)
        n = max(len(a), len(b))
        return a + (0,) * (n - len(a)) >= b + (0,) * (n - len(b))

    full = table["toolkit"].get(cuda)
    if full is not None and at_least(driver, full):
        return "full"
    compat = table["minor_version_compatibility"].get(cuda.split(".")[0])
    return "minor-version" if compat is not None and at_least(driver, compat) else "unsupported"


def find_problems(r: dict) -> set[str]:
    """Inconsistencies in a doctor report, as a set of codes (empty = consistent).

    - "cpu-build-but-gpu-present": torch has no CUDA build, yet nvidia-smi lists a GPU
      (a CPU build reports nothing else)
    - "cuda-build-but-unavailable": CUDA build and a GPU listed, but CUDA is not available
    - "driver-too-old": a driver version is known and ``driver_compatibility(r["driver"],
      r["torch_cuda_build"], load_driver_table())`` is "unsupported"
    - "cudnn-missing": a CUDA build without cuDNN
    - "arch-not-compiled": a device whose capability (M, m) no entry of arch_list runs on:
      "sm_Mk" with k <= m (cubin), or "compute_XY" with (X, Y) <= (M, m) (PTX JIT)
    - "bf16-mismatch": a device's bf16 flag differs from capability >= (8, 0)
    """
    probs: set[str] = set()
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
        runs = False
        for arch in r.get("arch_list") or []:
            a = re.fullmatch(r"(sm|compute)_(\d+)(\d)a?", arch)
            if a and a[1] == "sm" and int(a[2]) == M and int(a[3]) <= m:
                runs = True  # a cubin runs on the same major, equal or higher minor
            if a and a[1] == "compute" and (int(a[2]), int(a[3])) <= (M, m):
                runs = True  # PTX is compiled just in time for newer GPUs
        if not runs:
            probs.add("arch-not-compiled")
        if dev["bf16"] != ((M, m) >= (8, 0)):
            probs.add("bf16-mismatch")
    return probs


def _smi(args: list[str], timeout: float) -> str | None:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def driver_sources(timeout: float = 10.0) -> dict:
    """The driver as each source sees it: nvidia-smi, NVML (pynvml), /proc/driver/nvidia."""
    src: dict = {"smi": None, "smi_cuda": None, "nvml": None, "nvml_cuda": None, "proc": None}
    q = _smi(["--query-gpu=name,driver_version,compute_cap,memory.total",
              "--format=csv,noheader"], timeout)
    src["smi_gpus"] = []
    for line in (q or "").strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 4:
            src["smi_gpus"].append(dict(zip(("name", "driver", "compute_cap", "memory"), parts,
                                            strict=True)))
            src["smi"] = parts[1]
    head = re.search(r"CUDA Version:\s*([\d.]+)", _smi([], timeout) or "") if q else None
    src["smi_cuda"] = head[1] if head else None
    try:
        import pynvml  # nvidia-ml-py, where installed

        pynvml.nvmlInit()
        v = pynvml.nvmlSystemGetDriverVersion()
        src["nvml"] = v.decode() if isinstance(v, bytes) else v
        c = pynvml.nvmlSystemGetCudaDriverVersion()  # e.g. 13000
        src["nvml_cuda"] = f"{c // 1000}.{c % 1000 // 10}"
    except Exception:  # noqa: BLE001 - no pynvml, no driver, or no GPU
        pass
    try:
        with open("/proc/driver/nvidia/version") as fh:
            k = re.search(r"Kernel Module\s+(?:for \w+\s+)?([\d.]+)", fh.read())
            src["proc"] = k[1] if k else None
    except OSError:
        pass
    return src


def cudnn_string(v: int | None) -> str | None:
    """torch.backends.cudnn.version() as text: 91002 -> "9.10.2", 8902 -> "8.9.2"."""
    if not v:
        return None
    return f"{v // 10000}.{v % 10000 // 100}.{v % 100}" if v >= 90000 else \
        f"{v // 1000}.{v % 1000 // 100}.{v % 100}"


def doctor(smi_timeout_s: float = 10.0) -> dict:
    """Report Python, torch, CUDA, cuDNN, driver and devices, with the problems found."""
    r: dict = {k: None for k in KEYS}
    r.update(python=platform.python_version(), platform=platform.platform(), devices=[],
             arch_list=[], cuda_available=False)
    drv = driver_sources(smi_timeout_s)
    r["nvidia_smi"] = shutil.which("nvidia-smi")
    r["smi_gpus"] = drv["smi_gpus"]
    r["driver"] = drv["smi"] or drv["nvml"] or drv["proc"]
    r["driver_cuda"] = drv["smi_cuda"] or drv["nvml_cuda"]
    try:
        import torch
    except ImportError:
        r.update(problems=[], status="no torch", summary="torch is not installed")
        return r
    r["torch"], r["torch_cuda_build"] = torch.__version__, torch.version.cuda
    r["cudnn"] = cudnn_string(torch.backends.cudnn.version()) if r["torch_cuda_build"] else None
    r["cuda_available"] = torch.cuda.is_available()
    if r["cuda_available"]:
        r["arch_list"] = torch.cuda.get_arch_list()
        try:
            r["nccl"] = ".".join(map(str, torch.cuda.nccl.version()))
        except Exception:  # noqa: BLE001 - a build without NCCL
            pass
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            with torch.cuda.device(i):
                try:  # newer torch counts emulated bf16 unless told not to
                    bf16 = torch.cuda.is_bf16_supported(including_emulation=False)
                except TypeError:
                    bf16 = torch.cuda.is_bf16_supported()
            r["devices"].append({"index": i, "name": p.name, "capability": [p.major, p.minor],
                                 "memory_gib": round(p.total_memory / 2**30, 1),
                                 "sms": p.multi_processor_count, "bf16": bool(bf16)})
    if r["driver"] and r["torch_cuda_build"]:
        r["driver_support"] = driver_compatibility(r["driver"], r["torch_cuda_build"],
                                                   load_driver_table())
    r["problems"] = sorted(find_problems(r))
    r["status"] = "problems" if r["problems"] else ("ok" if r["cuda_available"] else "no CUDA")
    r["summary"] = (f"torch {r['torch']} (CUDA build {r['torch_cuda_build'] or 'none'}), "
                    f"driver {r['driver'] or 'none'}, {len(r['devices'])} CUDA device(s)"
                    + (f"; problems: {', '.join(r['problems'])}" if r["problems"] else ""))
    return r


def wrong(got: dict, want: dict) -> dict:
    """The entries where ``got`` differs from ``want``, as "yours X, expected Y"."""
    return {k: f"yours {got.get(k)}, expected {v}" for k, v in want.items() if got.get(k) != v}


def body(lab) -> None:
    cfg = Config()
    import torch

    rep, got = None, {}  # the doctor's report and your driver verdicts, once they ran
    lab.section("wheel tags -> CUDA build")
    with lab.guard("parse_cuda_tag runs"):
        tags = {"2.11.0+cu130": "13.0", "2.1.0+cu118": "11.8", "1.4.0+cu92": "9.2",
                "2.5.1+cu124": "12.4", "2.13.0+cpu": None, "2.5.0+rocm6.2": None, "2.4.0": None,
                torch.__version__: torch.version.cuda}  # this machine: torch's own record
        lab.check_equal("parse_cuda_tag on known wheels and this one (wrong ones)",
                        wrong({v: parse_cuda_tag(v) for v in tags}, tags), {},
                        hint="the last digit is the minor version: cu118 -> 11.8, cu92 -> 9.2")

    lab.section("driver vs CUDA, against NVIDIA's minimum-driver table")
    table = load_driver_table()
    cases = {  # (driver, CUDA): expected, each a row of the table or a boundary
        ("580.159.04", "13.0"): "full", ("575.57.08", "13.0"): "unsupported",
        ("580.65.06", "12.4"): "full", ("550.54.14", "12.4"): "full",
        ("550.54.13", "12.4"): "minor-version", ("535.104.05", "12.2"): "full",
        ("535.104.05", "12.4"): "minor-version", ("525.60.13", "12.8"): "minor-version",
        ("525.53", "12.1"): "unsupported", ("470.82.01", "12.1"): "unsupported",
        ("450.80.02", "11.8"): "minor-version", ("450.51.06", "11.8"): "unsupported",
        ("520.61.05", "11.8"): "full", ("440.33", "10.2"): "full",
        ("418.39", "10.2"): "unsupported", ("560.35.03", "12.7"): "minor-version",
    }
    with lab.guard("driver_compatibility runs"):
        got = {f"{d} / CUDA {c}": driver_compatibility(d, c, table) for d, c in cases}
        lab.check_equal("driver_compatibility vs NVIDIA's table (wrong ones)",
                        wrong(got, {f"{d} / CUDA {c}": v for (d, c), v in cases.items()}), {},
                        hint="compare versions field by field as integers, not as strings")
        cudas = ["13.0", "12.8", "12.4", "12.2", "11.8"]
        drivers = ["580.65.06", "570.124.06", "550.54.15", "535.104.05", "525.60.13", "470.82.01"]
        lab.table("driver_support", ["driver", *[f"CUDA {c}" for c in cudas]],
                  [[d, *[driver_compatibility(d, c, table) for c in cudas]] for d in drivers],
                  title="what each driver runs (your driver_compatibility, NVIDIA's table)")

    lab.section("consistency rules on planted environments")
    gpu = {"torch": "2.11.0+cu130", "torch_cuda_build": "13.0", "cudnn": "9.10.2",
           "cuda_available": True, "driver": "580.95.05", "driver_cuda": "13.0",
           "smi_gpus": [{"name": "H100"}], "arch_list": ["sm_75", "sm_80", "sm_90", "sm_100"],
           "devices": [{"name": "NVIDIA H100", "capability": [9, 0], "bf16": True}]}
    cpu_box = {"torch": "2.13.0+cpu", "torch_cuda_build": None, "cudnn": None, "driver": None,
               "cuda_available": False, "smi_gpus": [], "driver_cuda": None, "devices": [],
               "arch_list": []}
    plants = {  # (what changes, expected codes)
        "consistent GPU box": ({}, set()),
        "consistent CPU-only box": (cpu_box, set()),
        "CPU wheel on a GPU box": ({"torch_cuda_build": None, "cudnn": None,
                                    "cuda_available": False, "devices": []},
                                   {"cpu-build-but-gpu-present"}),
        "CUDA 13 wheel on a 575 driver": ({"driver": "575.57.08", "driver_cuda": "12.9"},
                                          {"driver-too-old"}),
        "cu118 wheel on a CUDA 11.0 driver (450.51.06)": (
            {"torch_cuda_build": "11.8", "driver": "450.51.06", "driver_cuda": "11.0"},
            {"driver-too-old"}),
        "cu124 wheel on a 535 driver (minor-version)": (
            {"torch_cuda_build": "12.4", "driver": "535.104.05", "driver_cuda": "12.2"}, set()),
        "CUDA build, GPU listed, not available": ({"cuda_available": False, "devices": []},
                                                  {"cuda-build-but-unavailable"}),
        "no cuDNN": ({"cudnn": None}, {"cudnn-missing"}),
        "V100 not compiled for": ({"devices": [{"capability": [7, 0], "bf16": False}]},
                                  {"arch-not-compiled"}),
        "A10 (8.6) runs the sm_80 cubin": ({"devices": [{"capability": [8, 6], "bf16": True}]},
                                           set()),
        "new GPU via PTX": ({"arch_list": ["sm_90", "compute_90"],
                             "devices": [{"capability": [12, 0], "bf16": True}]}, set()),
        "bf16 claimed on a T4": ({"devices": [{"capability": [7, 5], "bf16": True}]},
                                 {"bf16-mismatch"}),
    }
    with lab.guard("find_problems runs"):
        lab.check_equal("find_problems on planted environments (wrong ones)",
                        wrong({k: find_problems({**gpu, **c}) for k, (c, _) in plants.items()},
                              {k: e for k, (_, e) in plants.items()}), {},
                        hint="a cubin sm_Mk runs on capability M.m with k <= m; PTX runs on "
                             "newer GPUs too")

    lab.section("this machine's report vs independent sources")
    with lab.guard("doctor runs"):
        rep = doctor(cfg.smi_timeout_s)
        lab.save_file("doctor.json").write_text(json.dumps(rep, indent=1))
        for k in KEYS:
            lab.log(f"  {k:16s} {rep[k]}")
        lab.check_equal("no inconsistency found on this machine", rep["problems"], [])
        with lab.shown():
            lab.check_equal("report has every documented key", sorted(rep), sorted(KEYS))
            lab.check_equal("torch version = installed package metadata (without +tag)",
                            rep["torch"].split("+")[0],  # PyPI metadata carries no local tag
                            importlib.metadata.version("torch").split("+")[0])
            pip_cudnn = [d.version for d in importlib.metadata.distributions()
                         if (d.metadata["Name"] or "").lower().startswith("nvidia-cudnn")]
            if rep["cudnn"] and pip_cudnn:
                lab.check_equal("cuDNN major.minor = the nvidia-cudnn package",
                                rep["cudnn"].split(".")[:2], pip_cudnn[0].split(".")[:2])
            else:
                lab.note(f"cuDNN {rep['cudnn']}, pip cuDNN packages {pip_cudnn}: nothing to "
                         "compare")
        if lab.device == "cuda":
            with lab.shown():
                drv = driver_sources(cfg.smi_timeout_s)
                seen = {k: drv[k] for k in ("smi", "nvml", "proc") if drv[k]}
                lab.check("driver version: every source agrees", len(set(seen.values())) == 1,
                          "one version", seen)
                if drv["smi_gpus"] and "." in drv["smi_gpus"][0]["compute_cap"]:
                    lab.check_equal("capability = nvidia-smi compute_cap",
                                    ".".join(map(str, rep["devices"][0]["capability"])),
                                    drv["smi_gpus"][0]["compute_cap"])
                x, y = torch.randn(64, 64), torch.randn(64, 64)
                ref = x.double() @ y.double()
                err = float(((x.cuda() @ y.cuda()).cpu().double() - ref).norm() / ref.norm())
                lab.check_le("a CUDA fp32 matmul (TF32 off) vs float64 (rel. error)", err, 1e-6)
                lab.check_equal("bf16 reported iff capability >= 8.0", rep["devices"][0]["bf16"],
                                tuple(rep["devices"][0]["capability"]) >= (8, 0))
                if rep["devices"][0]["bf16"]:  # 8 significant bits: error ~ 2^-8, not more
                    xb, yb = x.cuda().bfloat16(), y.cuda().bfloat16()
                    err = float(((xb @ yb).double().cpu() - ref).norm() / ref.norm())
                    lab.check_le("a bf16 matmul vs float64 (rel. error <= 1.3 x 2^-8)", err, 5e-3)
                    lab.check_ge("... and it really ran in bf16 (rel. error >= 2^-12)", err,
                                 2.0**-12)
                lab.metric("cuda_devices", len(rep["devices"]))
        elif not rep["smi_gpus"]:
            lab.check_equal("CPU-only machine: status", rep["status"], "no CUDA")
            lab.note(f"nvidia-smi: {rep['nvidia_smi'] or 'not found'}; no GPU listed")

    lab.section("the module imports no torch (the app's System page reuses doctor)")
    code = ("import runpy, sys; g = runpy.run_path(sys.argv[1]); "
            "print('torch' in sys.modules, callable(g['doctor']))")
    out = subprocess.run([sys.executable, "-c", code, os.path.abspath(__file__)],
                         capture_output=True, text=True, timeout=60)
    lab.check_equal("runpy import: (torch imported, doctor callable)", out.stdout.split(),
                    ["False", "True"], graded=False)
    if rep is not None and got:
        lab.conclude(f"Your checks read torch {rep['torch']} as CUDA build "
                     f"{rep['torch_cuda_build'] or 'none'} and matched NVIDIA's driver table on "
                     f"{len(cases)} driver/CUDA pairs (535.104.05 runs CUDA 12.2 in full, 12.4 "
                     f"only by minor-version compatibility) and {len(plants)} planted "
                     f"environments; this machine: {rep['status']}.")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # kit, when imported
    import kit

    return kit.run("cuda-environment", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
