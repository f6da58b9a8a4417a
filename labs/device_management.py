"""Device management: .to(device), .cuda(), placement, pinned memory, non_blocking copies.

Every tensor lives on one device, and an op needs all its inputs on the same one. In
PyTorch placement is explicit: ``x.to(device)`` (``x.cuda()`` is ``x.to("cuda")``) returns a
copy (or ``x`` itself when it is already there), while ``module.to(device)`` moves the
parameters in place. An optimizer keeps state per parameter (Adam's moments): move it with
the model, except Adam's scalar ``step``, which stays on the CPU (torch's own
``load_state_dict`` policy). ``torch.device(...)`` as a context manager sets where factory
functions allocate; the ``meta`` device holds shapes and dtypes but no data. Copies from
pinned (page-locked) host memory with ``non_blocking=True`` return at once and overlap GPU
work; read the result only after a synchronisation (or on the same CUDA stream).

TensorFlow places ops itself: each op goes to the first visible GPU when it has a GPU
kernel, else to the CPU; ``with tf.device("/GPU:1"):`` pins ops, soft placement falls back
to the CPU when a kernel is missing (``tf.config.set_soft_device_placement``),
``tf.debugging.set_log_device_placement(True)`` prints where each op ran,
``tf.config.set_visible_devices`` hides GPUs and ``tf.config.experimental.
set_memory_growth`` stops TF from reserving the whole card at start-up.

This lab moves nested batches and optimizer state (checked against torch's own placement
policy), checks that a model gives the same outputs and gradients on every available device
(cpu, cuda when present, meta for shapes) against a float64 reference, continues training
after a cpu -> cuda move without a change in the result, and times pinned non_blocking copies.

$ python labs/device_management.py --quick
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import kit
import matplotlib
import torch
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("to_device", "move_optimizer_state")


@dataclass
class Config:
    batch: int = 16  # images per batch for the device-agreement test
    steps: int = 4  # Adam steps before and after the cpu -> cuda move
    pinned_mib: int = 256  # size of the host-to-device copy (GPU only)
    rtol: float = 1e-4  # fp32 (TF32 off) vs float64: outputs and gradients
    atol: float = 1e-5


def to_device(obj, device, non_blocking: bool = False):
    """Move every tensor in a nested structure of dicts, lists and tuples to ``device``.

    Returns a new structure of the same shape: dicts with the same keys, lists as lists,
    tuples as tuples, at any depth; anything that is not a tensor (ints, strings, None)
    kept as it is. ``non_blocking`` is passed on to ``torch.Tensor.to``.
    """
    if torch.is_tensor(obj):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        return {k: to_device(v, device, non_blocking) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(v, device, non_blocking) for v in obj)
    return obj


def move_optimizer_state(opt: torch.optim.Optimizer, device) -> None:
    """Move an optimizer's per-parameter state tensors to ``device``, in place.

    Call it after ``model.to(device)``. Every tensor in ``opt.state[p]`` moves (Adam's
    "exp_avg" and "exp_avg_sq", SGD's "momentum_buffer", whatever the optimizer keeps),
    except Adam's scalar ``step``, which stays on the CPU (it is read as a number every step;
    with capturable=False torch keeps it there). The optimizer must end up holding the moved
    tensors: replace the entries of ``opt.state[p]``, do not build a new dict beside it.
    """
    for state in opt.state.values():
        for key, value in state.items():
            if torch.is_tensor(value) and key != "step":
                state[key] = value.to(device)


def make_model() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 10))


def set_tf32(enabled: bool) -> None:
    """TF32 on/off for matmuls and cuDNN convolutions (new API where torch has it)."""
    if hasattr(torch.backends.cuda.matmul, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "tf32" if enabled else "ieee"
        torch.backends.cudnn.fp32_precision = "tf32" if enabled else "ieee"  # conv inherits
    else:
        torch.backends.cuda.matmul.allow_tf32 = enabled
        torch.backends.cudnn.allow_tf32 = enabled


def forward_backward(model, x, y):
    """Loss, logits and parameter gradients of one training-mode forward/backward."""
    model.zero_grad()
    out = model(x)
    loss = nn.functional.cross_entropy(out, y)
    loss.backward()
    return out.detach(), [p.grad.detach() for p in model.parameters()]


def train(model, opt, x, y, steps) -> None:
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


def body(lab: kit.Lab) -> None:
    cuda = lab.device == "cuda"
    cfg = Config(pinned_mib=lab.pick(16, 256))
    devices = ["cpu"] + (["cuda"] if cuda else []) + ["meta"]
    lab.log(f"  devices: {devices}")
    if cuda:
        set_tf32(False)  # strict fp32, so devices can agree to 1e-4
    else:
        lab.note("no CUDA: comparing cpu with a float64 reference and the meta device")
    target = "cuda" if cuda else "meta"  # where things get moved

    with lab.shown():
        lab.section("placement basics")
        x = torch.randn(3)
        lab.check("x.to(x.device) is x (no copy when already there)", x.to(x.device) is x,
                  "same object", "same object" if x.to(x.device) is x else "a copy")
        m = nn.Linear(2, 2)
        lab.check("module.to(...) moves in place and returns the module", m.to(target) is m
                  and m.weight.device.type == target, f"same module on {target}",
                  f"{m.weight.device}")
        with torch.device(target):  # factory functions allocate on the context's device
            z = torch.zeros(2, 3)
        lab.check_equal("torch.device context: factory tensors land there", z.device.type,
                        target)
        try:
            _ = torch.ones(2, device=target) + torch.ones(2)
            mixed = "no error"
        except RuntimeError:
            mixed = "RuntimeError"
        lab.check_equal(f"{target} + cpu tensor of 2 elements raises", mixed, "RuntimeError")

    lab.section(f"to_device on a nested batch -> {target}")
    batch = {"x": torch.randn(4, 3), "y": torch.arange(4),
             "inputs": {"ids": torch.arange(6).view(2, 3), "mask": torch.ones(2, 3).bool()},
             "meta": {"ids": [1, 2], "name": "b", "weight": None},
             "pair": (torch.ones(2), [torch.zeros(1), 7, (torch.eye(2),)])}

    def tensors(obj) -> list:  # every tensor of a nested structure, in order
        if torch.is_tensor(obj):
            return [obj]
        vals = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) \
            else []
        return [t for v in vals for t in tensors(v)]

    def skeleton(obj):  # the structure with each tensor replaced by "T"
        if torch.is_tensor(obj):
            return "T"
        if isinstance(obj, dict):
            return {k: skeleton(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return type(obj).__name__, [skeleton(v) for v in obj]
        return obj

    moved = None
    with lab.guard("to_device runs"):
        moved = to_device(batch, target)
        lab.check_equal("every tensor moved (devices, in order)",
                        [t.device.type for t in tensors(moved)], [target] * len(tensors(batch)),
                        hint="recurse into dicts, lists and tuples")
        lab.check_equal("structure kept: keys, lists, tuples, non-tensors", skeleton(moved),
                        skeleton(batch), hint="rebuild a tuple as a tuple: type(obj)(...)")
        if cuda:
            lab.check_close("values survive the round trip", to_device(moved, "cpu")["x"],
                            batch["x"], rtol=0)

    lab.section(f"optimizer state -> {target}, vs torch's load_state_dict policy")
    xs = torch.randn(cfg.batch, 1, 8, 8)
    ys = torch.randint(0, 10, (cfg.batch,))
    model = make_model()
    opts = {"Adam": lambda ps: torch.optim.Adam(ps, lr=1e-2),
            "SGD momentum": lambda ps: torch.optim.SGD(ps, lr=1e-2, momentum=0.9)}
    moved_ok = False  # both exercises ran to the end
    with lab.guard("move_optimizer_state runs"):
        for name, make in opts.items():
            m0 = copy.deepcopy(model)
            opt = make(m0.parameters())
            train(m0, opt, xs, ys, cfg.steps)
            ref_model = copy.deepcopy(m0).to(target)  # oracle: a fresh optimizer on the moved
            ref_opt = make(ref_model.parameters())  # model loads the state
            ref_opt.load_state_dict(opt.state_dict())
            moved_model, moved_opt = copy.deepcopy((m0, opt))
            moved_model.to(target)
            move_optimizer_state(moved_opt, target)
            got = [{k: str(v.device) for k, v in st.items()} for st in moved_opt.state.values()]
            want = [{k: str(v.device) for k, v in st.items()} for st in ref_opt.state.values()]
            lab.check_equal(f"{name}: state devices per key = load_state_dict's", got, want,
                            hint="every state tensor but Adam's step; assign back into the state")
            if cuda and name == "Adam":  # continue training on the GPU: as if never moved
                cpu_model, cpu_opt = copy.deepcopy((m0, opt))
                train(cpu_model, cpu_opt, xs, ys, cfg.steps)
                train(moved_model, moved_opt, xs.cuda(), ys.cuda(), cfg.steps)
                lab.check_close("train on cpu, move, train on cuda = all on cpu",
                                torch.cat([p.flatten() for p in moved_model.parameters()]),
                                torch.cat([p.flatten() for p in cpu_model.parameters()]),
                                rtol=1e-3, atol=1e-5)
        moved_ok = moved is not None

    lab.section("same outputs and gradients on every device (vs float64 on the cpu)")
    base = make_model()
    ref_out, ref_grads = forward_backward(copy.deepcopy(base).double(), xs.double(), ys)
    errors = {}  # device -> max abs error of (logits, gradients)
    with lab.shown():
        for dev in devices:
            mdl = copy.deepcopy(base).to(dev)
            out, grads = forward_backward(mdl, xs.to(dev), ys.to(dev))
            if dev == "meta":  # no data: shapes and dtypes only
                lab.check_equal("meta: output and gradient shapes", [out.shape] + [
                    g.shape for g in grads], [ref_out.shape] + [g.shape for g in ref_grads])
                continue
            g, ref_g = (torch.cat([t.flatten() for t in gs]) for gs in (grads, ref_grads))
            lab.check_close(f"{dev}: logits = float64", out, ref_out, cfg.rtol, cfg.atol)
            lab.check_close(f"{dev}: gradients = float64", g, ref_g, cfg.rtol, cfg.atol)
            errors[dev] = [float((out.cpu().double() - ref_out).abs().max()),
                           float((g.cpu().double() - ref_g).abs().max())]

    fig, axes = plt.subplots(1, 2 if cuda else 1, figsize=(9 if cuda else 5, 3.2), squeeze=False)
    ax = axes[0][0]
    for k, what in enumerate(("logits", "gradients")):
        ax.bar([i + 0.4 * k for i in range(len(errors))], [e[k] for e in errors.values()],
               width=0.4, label=what)
    ax.set_xticks([i + 0.2 for i in range(len(errors))], list(errors))
    ax.set_yscale("log")
    ax.set(ylabel="max |fp32 - float64|", title="same model, every device")
    ax.legend(fontsize=8)
    pinned_note = ""
    if cuda:
        lab.section(f"pinned memory and non_blocking copies ({cfg.pinned_mib} MiB)")
        times = pinned_copies(lab, cfg)
        ax = axes[0][1]
        ax.bar(list(times), [cfg.pinned_mib * 2**20 / s / 1e9 for s in times.values()])
        ax.set(ylabel="GB/s", title=f"host -> GPU copy of {cfg.pinned_mib} MiB")
        speedup = times["pageable"] / times["pinned"]
        pinned_note = f"; a pinned host-to-GPU copy ran {speedup:.1f}x faster than a pageable one"
    else:
        lab.note("pinned memory and non_blocking copies need CUDA: skipped")
    lab.savefig(fig, "devices.png")
    if moved_ok:
        lab.conclude(f"Your to_device moved all {len(tensors(batch))} tensors of a nested batch "
                     f"to {target} with its dicts, lists and tuples intact, and your optimizer "
                     f"move put Adam's and SGD's state where load_state_dict does; the model "
                     f"gave the same results on {', '.join(errors)} as float64 to "
                     f"{max(max(e) for e in errors.values()):.0e}{pinned_note}.")


def pinned_copies(lab, cfg: Config) -> dict:
    """Time pageable, pinned and pinned non_blocking host-to-GPU copies (shown checks)."""
    n = cfg.pinned_mib * 2**20 // 4
    pageable, pinned = torch.randn(n), torch.randn(n).pin_memory()
    times = {}
    with lab.shown():
        lab.check("pin_memory() gives page-locked memory", pinned.is_pinned(), True,
                  pinned.is_pinned())
        for name, src, nb in [("pageable", pageable, False), ("pinned", pinned, False),
                              ("pinned non_blocking", pinned, True)]:
            src.to("cuda", non_blocking=nb)  # warm-up
            with lab.timer() as t:  # syncs at both ends: the whole copy
                src.to("cuda", non_blocking=nb)
            times[name] = t.seconds
            lab.metric(f"h2d_{name.replace(' ', '_')}_gbps", src.nbytes / t.seconds / 1e9,
                       "GB/s")
        torch.cuda.synchronize()
        start = time.perf_counter()
        dst = pinned.to("cuda", non_blocking=True)  # returns before the copy is done
        issue_s = time.perf_counter() - start
        torch.cuda.synchronize()
        lab.metric("non_blocking_issue_ms", 1e3 * issue_s, "ms")
        lab.check_le("non_blocking issue time / full copy time", issue_s / times["pinned"], 0.5)
        lab.check("non_blocking copy correct after synchronize", torch.equal(dst.cpu(), pinned),
                  "equal", "equal" if torch.equal(dst.cpu(), pinned) else "differs")
        lab.metric("pinned_speedup_vs_pageable", times["pageable"] / times["pinned"], "x")
    return times


def main(argv: list[str] | None = None) -> int:
    return kit.run("device-management", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
