"""Exporting a PyTorch model: torch.export (current) and TorchScript (deprecated).

To run a model outside the Python program that defined it (a server, a phone, an AOT
compiler) you capture it as a graph. ``torch.export.export(model, args, dynamic_shapes=...)``
traces ``forward`` into an ``ExportedProgram``: a graph of ATen ops plus the parameters and
buffers, with symbolic sizes where you declared them dynamic (``Dim("batch")``).
``torch.export.save``/``load`` write and read it as a ``.pt2`` archive, and
``ep.module()`` runs it. Tracing sees tensors, not Python values: an ``if`` on a tensor's
*data* cannot be captured (export stops with a data-dependent guard error), so such code is
rewritten branch-free (``torch.where``) or with ``torch.cond``.

TorchScript (``torch.jit.script``/``trace``, ``torch.jit.save``) was the older way to do
this; it is deprecated and kept here only as an optional comparison that never fails the
lab (a note says when it is missing or warns).

Export captures the mode the model is in: a model left in training mode exports its
BatchNorm with batch statistics and its Dropout switched on, so put it in ``eval()`` first.

You write ``export_with_dynamic_batch`` (checked: the exported program, and the one saved
and loaded back, equal eager inference at batch sizes it was not traced with) and
``branch_free_gate`` (checked against the Python-``if`` reference, ties included, eagerly and
exported).

$ python labs/torchscript_export.py --quick
"""

from __future__ import annotations

import collections
import io
import warnings
from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

EXERCISES = ("export_with_dynamic_batch", "branch_free_gate")


@dataclass
class Config:
    d_in: int = 16  # input features
    hidden: int = 64  # hidden width
    d_out: int = 4  # outputs
    example_batch: int = 8  # batch size of the example input used to trace
    rtol: float = 1e-5  # exported vs eager (float32, same kernels: usually exact)


def export_with_dynamic_batch(model: nn.Module, example: torch.Tensor):
    """Export ``model`` for inference with ``torch.export.export``, for inputs shaped like
    ``example`` (B, d) with the batch dimension B dynamic (``torch.export.Dim``), so that the
    program runs at any batch size from 2 up. The model may arrive in training mode; export
    it in inference mode. Returns the ``torch.export.ExportedProgram`` itself."""
    model.eval()  # BatchNorm: running statistics; Dropout: off
    batch = torch.export.Dim("batch")
    return torch.export.export(model, (example,), dynamic_shapes=({0: batch},))


def branch_free_gate(x: torch.Tensor) -> torch.Tensor:
    """Per row of x (B, d): ``relu(row)`` if the row's mean is strictly > 0, else
    ``0.1 * row`` (a row whose mean is exactly 0 gets ``0.1 * row``), without Python control
    flow on tensor data (so that torch.export can capture it)."""
    positive = x.mean(dim=-1, keepdim=True) > 0  # (B, 1) bool
    return torch.where(positive, F.relu(x), 0.1 * x)


def gate_reference(x: torch.Tensor) -> torch.Tensor:
    """The same gate written the eager way: a Python ``if`` per row (cannot be exported)."""
    return torch.stack([F.relu(r) if r.mean() > 0 else 0.1 * r for r in x])


class Net(nn.Module):
    def __init__(self, d_in: int, hidden: int, d_out: int):
        super().__init__()
        self.fc1, self.norm = nn.Linear(d_in, hidden), nn.BatchNorm1d(hidden)
        self.drop, self.fc2 = nn.Dropout(0.2), nn.Linear(hidden, d_out)
        self.register_buffer("center", torch.randn(d_in))  # buffers are exported too

    def forward(self, x):  # (B, d_in) -> (B, d_out)
        h = F.gelu(self.norm(self.fc1(x - self.center)))  # (B, hidden)
        return self.fc2(self.drop(h))


class GatedNet(nn.Module):
    def __init__(self, d_in: int):
        super().__init__()
        self.fc = nn.Linear(d_in, d_in)

    def forward(self, x):  # (B, d) -> (B, d): gate each row, then mix
        return self.fc(branch_free_gate(x))


def body(lab: kit.Lab) -> None:
    cfg = Config(hidden=lab.pick(64, 256))
    dev = lab.torch_device
    model = Net(cfg.d_in, cfg.hidden, cfg.d_out).to(dev)
    with torch.no_grad():  # give BatchNorm running statistics that differ from one batch's
        for _ in range(20):
            model(torch.randn(64, cfg.d_in, device=dev) * 2 + 1)
    example = torch.randn(cfg.example_batch, cfg.d_in, device=dev)
    batches = [2, 3, cfg.example_batch, lab.pick(33, 257)]
    inputs = [torch.randn(b, cfg.d_in, device=dev) for b in batches]
    with torch.no_grad():
        eager = [model.eval()(x) for x in inputs]  # the oracle: eager inference
    model.train()  # handed over as it comes out of training

    lab.section("torch.export with a dynamic batch dimension")
    ep = None
    with lab.guard("export_with_dynamic_batch runs"):
        ep = export_with_dynamic_batch(model, example)
        lab.check("returns a torch.export.ExportedProgram",
                  isinstance(ep, torch.export.ExportedProgram), "ExportedProgram",
                  type(ep).__name__)
        ops = collections.Counter(str(n.target) for n in ep.graph.nodes
                                  if n.op == "call_function")
        lab.log("  graph ops:", dict(ops))
        lab.metric("graph_ops", sum(ops.values()))
        lab.check("batch dimension is symbolic (range_constraints)",
                  len(ep.range_constraints) >= 1, ">= 1 symbol", dict(ep.range_constraints))
        for b, x, want in zip(batches, inputs, eager, strict=True):
            with lab.guard(f"exported program runs at batch {b}"):
                lab.check_close(f"exported = eager, batch {b}", ep.module()(x), want,
                                rtol=cfg.rtol, atol=1e-6)
        try:  # sizes 0 and 1 are special to the shape solver; some versions reject them
            ep.module()(torch.randn(1, cfg.d_in, device=dev))
            lab.note("batch size 1 also runs through the exported program")
        except Exception as exc:  # noqa: BLE001 - version-dependent, informative only
            lab.note(f"batch size 1 is outside the exported range here ({type(exc).__name__})")
        _plot(lab, ops)

    lab.section("save / load round trip (.pt2)")
    if ep is not None:
        path = lab.save_file("net.pt2")
        with lab.guard("torch.export.save / load"):
            torch.export.save(ep, path)
            loaded = torch.export.load(path)
            lab.metric("pt2_bytes", path.stat().st_size, "B")
            for b, x, want in zip(batches, inputs, eager, strict=True):
                with lab.guard(f"loaded program runs at batch {b}"):
                    lab.check_close(f"loaded = eager, batch {b}", loaded.module()(x), want,
                                    rtol=cfg.rtol, atol=1e-6)
            sd = loaded.state_dict
            with lab.shown():
                lab.check("loaded parameters and buffers are bit-identical (torch.export.save)",
                          all(torch.equal(sd[k].to(v.device), v) for k, v in
                              model.state_dict().items() if k in sd),
                          sorted(model.state_dict()), sorted(sd))

    lab.section("data-dependent control flow: rewrite it branch-free")
    x_mixed = torch.randn(12, cfg.d_in, device=dev)
    x_mixed[::2] += 1.5  # even rows: positive mean; odd rows: mostly negative
    x_mixed[1::2] -= 1.5
    tie = torch.arange(1.0, cfg.d_in // 2 + 1, device=dev).repeat_interleave(2)
    tie[1::2] *= -1  # [1, -1, 2, -2, ...]: mean exactly 0 in any summation order
    x_mixed[3], x_mixed[8] = tie, tie.flip(0) * 0.5
    gated = GatedNet(cfg.d_in).to(dev).eval()
    with lab.guard("branch_free_gate runs"):
        lab.check_close("branch_free_gate = per-row Python if (rows with mean 0 included)",
                        branch_free_gate(x_mixed), gate_reference(x_mixed), rtol=1e-6,
                        hint="decide per row: x.mean(dim=-1, keepdim=True) > 0")
        gep = torch.export.export(gated, (x_mixed,))
        fresh = torch.randn(12, cfg.d_in, device=dev) + torch.tensor(
            [1.5, -1.5] * 6, device=dev)[:, None]
        fresh[5] = tie * 2
        with torch.no_grad():
            want = gated.fc(gate_reference(fresh))
        lab.check_close("exported gate = Python-if reference on new data", gep.module()(fresh),
                        want, rtol=1e-5, atol=1e-6)

    lab.section("TorchScript (deprecated, optional)")
    _torchscript(lab, model.eval(), inputs, eager)
    if ep is not None:
        lab.conclude(f"Your exported program (traced at batch {cfg.example_batch}) and its .pt2 "
                     f"round trip matched eager inference at batch sizes "
                     f"{', '.join(map(str, batches))}, and your branch-free gate exported and "
                     "matched the per-row Python if, rows with mean exactly 0 included.")


def _torchscript(lab: kit.Lab, model: nn.Module, inputs: list, eager: list) -> None:
    """Script, save and reload with TorchScript; record metrics and notes, never checks."""
    if not hasattr(torch, "jit") or not hasattr(torch.jit, "script"):
        lab.note("TorchScript is not available in this torch build; skipped")
        return
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scripted = torch.jit.script(model)
            buf = io.BytesIO()
            torch.jit.save(scripted, buf)
            buf.seek(0)
            reloaded = torch.jit.load(buf, map_location=lab.device)
            with torch.no_grad():
                diff = max(float((reloaded(x) - e).abs().max())
                           for x, e in zip(inputs, eager, strict=True))
        lab.metric("torchscript_max_abs_diff", diff)
        if caught:
            lab.note(f"TorchScript works but warns: {str(caught[0].message)[:120]}")
    except Exception as exc:  # noqa: BLE001 - optional, deprecated path
        lab.note(f"TorchScript unavailable here ({type(exc).__name__}: {str(exc)[:100]})")


def _plot(lab: kit.Lab, ops: collections.Counter) -> None:
    fig, ax = plt.subplots(figsize=(5, 2.8))
    names = sorted(ops)
    ax.barh([n.replace("aten.", "") for n in names], [ops[n] for n in names])
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set(xlabel="count", title="ATen ops in the exported graph")
    lab.savefig(fig, "exported_ops.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("torchscript-export", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
