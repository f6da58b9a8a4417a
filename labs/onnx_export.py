"""Export a PyTorch model to ONNX and run it with ONNX Runtime.

ONNX is an open file format for neural-network graphs: operators from a versioned opset
plus the weights. A model exported once runs in many runtimes (ONNX Runtime on CPU/GPU,
TensorRT, OpenVINO, browsers via onnxruntime-web) without Python or PyTorch. Since
PyTorch 2.9 ``torch.onnx.export(..., dynamo=True)`` captures the model with torch.export
and translates the ATen graph to ONNX with onnxscript; dynamic dimensions (the batch) are
declared with ``dynamic_shapes`` and become symbolic ``dim_param`` names in the graph (the
older TorchScript-based exporter, ``dynamo=False``, calls them ``dynamic_axes``). The opset
is a contract with the runtime: an operator only exists from some opset on (``Gelu`` from
20), so a file for a runtime that stops at opset 18 must be exported with
``opset_version=18`` (GELU then becomes Erf arithmetic). ``onnx.defs.get_schema(op,
max_inclusive_version=18)`` says whether an operator exists in opset 18.

The lab trains a small MLP with BatchNorm and Dropout on sklearn's digits and hands it over
in training mode. Exported without ``.eval()``, the file keeps a training-time Dropout node:
ONNX Runtime happens to skip it at inference, but another runtime need not. You write
``export_onnx`` (opset 18, named input and output, dynamic batch, inference mode; checked
with ``onnx.checker`` and the opset-18 schemas) and ``run_onnx`` (ONNX Runtime on CPU).
Oracles: the eval-mode PyTorch model (outputs equal to 1e-5 at batch sizes the file was not
traced with) and ONNX's own pure-numpy reference evaluator (a second, independent runtime).

$ python labs/onnx_export.py --quick
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
import torch
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("export_onnx", "run_onnx")


@dataclass
class Config:
    hidden: int = 64  # width of the MLP's hidden layer
    epochs: int = 30  # full-batch training steps before export
    batches: tuple = (1, 7)  # batch sizes ONNX Runtime is run at (the batch is dynamic)
    tol: float = 1e-5  # max error, ONNX Runtime vs eval-mode PyTorch (rtol and atol)
    opset: int = 18  # the newest opset the deployment runtime supports
    timing_reps: int = 50  # repetitions per latency measurement


def make_model(d_in: int, hidden: int, n_out: int) -> nn.Module:
    """A small classifier whose train and eval behaviour differ (BatchNorm, Dropout)."""
    return nn.Sequential(nn.Linear(d_in, hidden), nn.BatchNorm1d(hidden), nn.GELU(),
                         nn.Dropout(0.2), nn.Linear(hidden, n_out))


def export_onnx(model: nn.Module, example: torch.Tensor, path: Path) -> None:
    """Write ``model`` to ``path`` as an ONNX file for opset 18 (the deployment runtime
    supports opsets up to 18), with the input named "x", the output "logits", and the
    batch dimension (dim 0) dynamic, so the file runs at any batch size. The model may
    arrive in training mode; export it in inference mode (BatchNorm running statistics,
    no Dropout)."""
    model.eval()
    batch = torch.export.Dim("batch")  # a symbolic size: becomes dim_param "batch"
    torch.onnx.export(model, (example,), str(path), dynamo=True, opset_version=18,
                      input_names=["x"], output_names=["logits"], dynamic_shapes=({0: batch},),
                      verbose=False)


def run_onnx(path: Path, x: np.ndarray) -> np.ndarray:
    """Run the ONNX file at ``path`` with ONNX Runtime (CPU) on ``x``, a (B, d) numpy array
    of any float dtype (the file's input is float32), and return its first output, the
    logits (B, n_out), as a numpy array."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name  # "x"
    return sess.run(None, {name: x.astype(np.float32)})[0]


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int) -> float:
    """Full-batch Adam; returns the final training loss."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(epochs):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss)


def body(lab: kit.Lab) -> None:
    import onnx
    from sklearn.datasets import load_digits

    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # "torchvision not installed" lines
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    cfg = Config(epochs=lab.pick(30, 300), timing_reps=lab.pick(20, 200))
    rng = np.random.default_rng(lab.seed)
    X, Y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)  # (1797, 64) pixel intensities in [0, 1]
    idx = rng.permutation(len(X))
    tr, te = idx[:1400], idx[1400:]

    lab.section("train a small MLP (BatchNorm + Dropout)")
    dev = lab.torch_device
    model = make_model(64, cfg.hidden, 10).to(dev)
    loss = train(model, torch.from_numpy(X[tr]).to(dev), torch.from_numpy(Y[tr]).to(dev),
                 cfg.epochs)
    lab.metric("train_loss", loss)
    model = model.cpu()  # export and ONNX Runtime (CPU provider) run on the CPU
    x_test = torch.from_numpy(X[te])  # (397, 64)

    # the oracle: the eval-mode PyTorch model, computed before the learner's code runs
    model.eval()
    with torch.no_grad():
        expected = {b: model(x_test[:b]).numpy() for b in cfg.batches}
        expected_all = model(x_test).numpy()  # (397, 10)
    model.train()  # hand the model over as it comes out of training

    tmp = Path(tempfile.mkdtemp(prefix="onnx_export_"))
    path = tmp / "mlp.onnx"
    lab.section("export with a dynamic batch dimension")
    with lab.guard("export_onnx runs"):
        with lab.timer() as t:
            export_onnx(model, x_test[:2].clone(), path)
        lab.metric("export_seconds", t.seconds, "s")
        proto = onnx.load(str(path))
        try:
            onnx.checker.check_model(proto, full_check=True)  # structure + shape inference
            msg = "valid"
        except onnx.checker.ValidationError as exc:
            msg = str(exc)[:150]
        opset = max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx"))
        too_new = []  # operators that do not exist in the runtime's opset
        for op in sorted({n.op_type for n in proto.graph.node if n.domain in ("", "ai.onnx")}):
            try:
                onnx.defs.get_schema(op, max_inclusive_version=cfg.opset, domain="")
            except onnx.defs.SchemaError:
                too_new.append(op)
        lab.check_equal(f"onnx.checker passes, opset {cfg.opset}, every operator exists in it",
                        (msg, opset, too_new), ("valid", cfg.opset, []),
                        hint=f"torch.onnx.export(..., opset_version={cfg.opset})")
        dim0 = proto.graph.input[0].type.tensor_type.shape.dim[0]
        lab.check("batch dimension is symbolic (dim_param)", bool(dim0.dim_param),
                  "a dim_param name", dim0.dim_param or f"fixed {dim0.dim_value}")
        lab.check_equal("input/output names", ([i.name for i in proto.graph.input],
                        [o.name for o in proto.graph.output]), (["x"], ["logits"]))
        train_ops = sorted({n.op_type for n in proto.graph.node if n.op_type == "Dropout" or any(
            a.name == "training_mode" and a.i == 1 for a in n.attribute)})
        lab.check_equal("exported for inference: no Dropout or training-mode node left",
                        train_ops, [], hint="call model.eval() before exporting")
        lab.metric("onnx_file_kib", path.stat().st_size / 1024, "KiB")
        lab.log("  ops: " + ", ".join(sorted({n.op_type for n in proto.graph.node})))

    lab.section("ONNX Runtime vs eval-mode PyTorch")
    for b in cfg.batches:
        with lab.guard(f"run_onnx at batch {b}"):
            got = run_onnx(path, x_test[:b].numpy().astype(np.float64))  # float64 in
            lab.check_close(f"ORT = torch at batch {b}", got, expected[b], rtol=cfg.tol,
                            atol=cfg.tol, hint="export in eval mode; return outputs[0]")
    with lab.guard("run_onnx on the test set"):
        got_all = run_onnx(path, x_test.numpy())
        lab.check_close("ORT = torch on all test rows", got_all, expected_all, rtol=cfg.tol,
                        atol=cfg.tol)
        n_diff = int((np.asarray(got_all).argmax(-1) != expected_all.argmax(-1)).sum())
        lab.check_equal("test rows whose predicted class differs", n_diff, 0)
        lab.metric("test_accuracy", float((expected_all.argmax(-1) == Y[te]).mean()))

    lab.section("second runtime: onnx.reference (pure numpy)")
    with lab.guard("onnx.reference runs the exported file"):
        from onnx.reference import ReferenceEvaluator

        ref = ReferenceEvaluator(str(path))
        b = cfg.batches[-1]
        got_ref = ref.run(None, {"x": x_test[:b].numpy()})[0]
        lab.check_close(f"onnx.reference = torch at batch {b}", got_ref, expected[b],
                        rtol=cfg.tol, atol=cfg.tol)

    lab.section("latency: eager PyTorch vs ONNX Runtime (one CPU thread)")
    with lab.guard("latency measured"):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        sizes, t_torch, t_ort = [1, 16, 128, 397], [], []
        model.eval()
        for b in sizes:
            xb = x_test[:b]
            with torch.no_grad(), lab.timer() as t:
                for _ in range(cfg.timing_reps):
                    model(xb)
            t_torch.append(t.seconds / cfg.timing_reps * 1e3)
            xn = xb.numpy()
            with lab.timer() as t:
                for _ in range(cfg.timing_reps):
                    sess.run(None, {"x": xn})
            t_ort.append(t.seconds / cfg.timing_reps * 1e3)
        lab.metric("torch_ms_batch1", t_torch[0], "ms")
        lab.metric("ort_ms_batch1", t_ort[0], "ms")
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.loglog(sizes, t_torch, "o-", label="PyTorch eager")
        ax.loglog(sizes, t_ort, "s-", label="ONNX Runtime")
        ax.set(xlabel="batch size", ylabel="ms per call", title="same model, two runtimes")
        ax.legend()
        lab.savefig(fig, "onnx_latency.png")
        lab.conclude(f"Your opset-{cfg.opset} file with a symbolic batch ran in ONNX Runtime at "
                     f"batch sizes {', '.join(map(str, cfg.batches))} and {len(x_test)} "
                     f"(traced at 2) within {cfg.tol:g} of eval-mode PyTorch, onnx.reference "
                     f"agreed, and one call at batch 1 took {t_ort[0]:.3f} ms in ONNX Runtime "
                     f"vs {t_torch[0]:.3f} ms in eager PyTorch.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("onnx-export", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
