"""Distributed training: data parallelism (DDP) and model parallelism on several devices.

Data parallelism keeps a full copy of the model on every device (one process per GPU, a
"rank"), gives each rank a different shard of the global batch, and averages the gradients
across ranks with an all-reduce before the optimizer step, so every replica takes the same
step as one process on the full batch would. ``DistributedDataParallel`` (DDP) does that
all-reduce in buckets overlapped with backward; the transport is a backend: NCCL between
NVIDIA GPUs, gloo on CPUs. Model parallelism splits the model itself when it does not fit:
consecutive layers live on different devices and the activations hop between them (pipeline
parallelism adds micro-batches so the stages work at the same time).

This lab starts 2 processes with gloo on the CPU (MASTER_ADDR=127.0.0.1, a free port),
shards the batch, trains one step with DDP and one with a hand-written all-reduce of the
gradients, and checks (in float64) that the ranks end identical and equal to the
single-process full-batch step. In the same two processes it splits a model in two stages,
one per rank, and runs a GPipe-style pipeline step: rank 0 sends each micro-batch's
activation to rank 1 (dist.send / dist.recv), rank 1 sends back the gradient of the loss
with respect to it, and the gradients of both stages must equal the unsplit model's. With 2
or more GPUs it repeats everything over NCCL, one GPU per rank.

$ python labs/distributed_training.py --quick
"""

from __future__ import annotations

import copy
import multiprocessing as mp
import os
import runpy
import socket
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import kit
import matplotlib
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("shard_batch", "allreduce_mean_grads", "pipeline_step")


@dataclass
class Config:
    world: int = 2  # processes (ranks)
    n: int = 64  # global batch: a multiple of world, so every shard has the same size
    dim: int = 16  # input features
    hidden: int = 32  # MLP width
    lr: float = 0.1  # SGD learning rate
    chunks: int = 4  # micro-batches of the pipeline step
    timeout_s: float = 90.0  # kill the ranks if they have not finished by then


def shard_batch(x: torch.Tensor, rank: int, world: int) -> torch.Tensor:
    """This rank's shard of the global batch (dim 0): the shards of the ``world`` ranks are
    disjoint, equal in size (the batch is a multiple of world) and together cover it."""
    per = x.shape[0] // world
    return x[rank * per:(rank + 1) * per]


def allreduce_mean_grads(model: nn.Module, world: int) -> None:
    """Replace every gradient by its mean over the ranks (what DDP does for you)."""
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)  # sum over ranks, in place
            p.grad /= world


def pipeline_step(stage: nn.Module, x: torch.Tensor, y: torch.Tensor, rank: int,
                  chunks: int, width: int) -> float | None:
    """One forward and backward of a model split over ranks 0 and 1 (pipeline parallelism).

    Rank 0 holds the first stage, rank 1 the second; both get the whole batch ``x``, ``y``.
    Cut it (dim 0) into ``chunks`` equal micro-batches (``torch.chunk``) and, GPipe style,
    run every forward, then every backward, in micro-batch order:

    - rank 0: for each micro-batch ``h = stage(x_i)`` and ``dist.send(h, dst=1)``; then for
      each micro-batch receive the gradient of the loss with respect to ``h``
      (``dist.recv`` into a tensor shaped like ``h``) and backpropagate it,
      ``h.backward(grad)``. Return None.
    - rank 1: for each micro-batch receive ``h`` (``dist.recv`` into a ``(len(y_i), width)``
      tensor of ``x``'s dtype and device), let autograd track it, and compute
      ``mse_loss(stage(h), y_i) / chunks`` (the full-batch mean); then for each micro-batch
      backpropagate its loss and ``dist.send`` the gradient of ``h`` to rank 0. Return the
      summed loss as a float.

    Gradients accumulate in the stage's parameters over the micro-batches (nothing zeroes
    them in between), so they equal one full-batch backward.
    """
    xs, ys = torch.chunk(x, chunks), torch.chunk(y, chunks)
    if rank == 0:
        acts = []
        for xi in xs:  # forwards: send each activation downstream
            h = stage(xi)  # (micro, width)
            dist.send(h.detach(), dst=1)
            acts.append(h)
        for h in acts:  # backwards: the gradient comes back upstream
            grad = torch.empty_like(h)
            dist.recv(grad, src=1)
            h.backward(grad)
        return None
    inputs, losses = [], []
    for yi in ys:
        h = torch.empty(len(yi), width, dtype=x.dtype, device=x.device)
        dist.recv(h, src=0)
        h.requires_grad_()  # the boundary: a leaf whose gradient goes back to rank 0
        inputs.append(h)
        losses.append(nn.functional.mse_loss(stage(h), yi) / chunks)
    for h, loss in zip(inputs, losses, strict=True):
        loss.backward()
        dist.send(h.grad, dst=0)
    return float(sum(loss.item() for loss in losses))


def make_problem(cfg: Config, seed: int):
    """The same data, initial model and pipeline model on every rank (float64, so sums agree
    to 1e-12); the pipeline model is Linear-GELU x 3 then the output, split after 3 modules."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(cfg.n, cfg.dim, generator=g, dtype=torch.float64)
    Y = torch.randn(cfg.n, 1, generator=g, dtype=torch.float64)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(cfg.dim, cfg.hidden), nn.Tanh(), nn.Linear(cfg.hidden, 1))
    layers = nn.Sequential(nn.Linear(cfg.dim, cfg.hidden), nn.GELU(),
                           *[m for _ in range(2) for m in (nn.Linear(cfg.hidden, cfg.hidden),
                                                           nn.GELU())],
                           nn.Linear(cfg.hidden, 1))
    return X, Y, model.double(), layers.double()


def sgd_step(model, x, y, lr, sync=None) -> None:
    """One SGD step on the mean squared error; ``sync(model)`` runs between backward and step."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    nn.functional.mse_loss(model(x), y).backward()
    if sync is not None:
        sync(model)
    opt.step()


def rank_worker(rank: int, cfg: Config, seed: int, port: int, backend: str, out: str,
                solution: str | None, names: tuple) -> None:
    """One rank: a DDP step and a hand-all-reduced step on its shard, then its pipeline
    stage; saves what it got, and the error of each part that raised."""
    result: dict = {"errors": {}}
    try:
        if solution:  # the rank re-imported this file: rebind the learner's functions
            ns = runpy.run_path(solution, run_name="learner_solution")
            globals().update({name: ns[name] for name in names})
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        dist.init_process_group(backend, rank=rank, world_size=cfg.world,
                                timeout=timedelta(seconds=cfg.timeout_s))
        dev = torch.device(f"cuda:{rank}" if backend == "nccl" else "cpu")
        if backend == "nccl":
            torch.cuda.set_device(dev)
        X, Y, model, layers = make_problem(cfg, seed)
        try:
            x, y = shard_batch(X, rank, cfg.world).to(dev), shard_batch(Y, rank, cfg.world).to(dev)
            result["rows"] = shard_batch(torch.arange(cfg.n), rank, cfg.world).tolist()
            ddp_model = copy.deepcopy(model).to(dev)
            sgd_step(DDP(ddp_model, device_ids=[rank] if backend == "nccl" else None), x, y,
                     cfg.lr)
            manual = copy.deepcopy(model).to(dev)
            sgd_step(manual, x, y, cfg.lr, sync=lambda m: allreduce_mean_grads(m, cfg.world))
            result.update(ddp=[p.detach().cpu() for p in ddp_model.parameters()],
                          manual=[p.detach().cpu() for p in manual.parameters()])
        except Exception as exc:  # noqa: BLE001 - reported by the parent, without a traceback
            result["errors"]["data parallel"] = exc
        try:
            k = 3  # the split point: rank 0 holds layers[:3], rank 1 layers[3:]
            stage = (layers[:k] if rank == 0 else layers[k:]).to(dev)
            result["loss"] = pipeline_step(stage, X.to(dev), Y.to(dev), rank, cfg.chunks,
                                           cfg.hidden)
            result["grads"] = [p.grad.cpu() if p.grad is not None else torch.zeros_like(p).cpu()
                               for p in stage.parameters()]
        except Exception as exc:  # noqa: BLE001
            result["errors"]["pipeline"] = exc
        dist.destroy_process_group()
    except Exception as exc:  # noqa: BLE001
        result["errors"]["setup"] = exc
    result["errors"] = {part: (f"{type(e).__name__}: {e}", isinstance(e, NotImplementedError))
                        for part, e in result["errors"].items()}
    path = Path(out) / f"rank{rank}.pt"
    torch.save(result, path.with_suffix(".tmp"))
    os.replace(path.with_suffix(".tmp"), path)  # atomic: the parent never reads half a file


def run_ranks(cfg: Config, seed: int, backend: str, solution: str | None,
              names: tuple) -> list[dict]:
    """Start cfg.world rank processes; collect what each saved.

    The ranks are fresh interpreters (spawn), never forks of this process: a fork copies
    the locks of torch's CPU thread pool and of the CUDA driver but not their threads, so
    once this process has computed anything a forked rank can hang in its first op. A rank
    still running 10 s after another finished waits in a collective that will never come.
    """
    with socket.socket() as s:  # a free port for the rendezvous
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as out:
        procs = [ctx.Process(target=rank_worker,
                             args=(r, cfg, seed, port, backend, out, solution, names))
                 for r in range(cfg.world)]
        for p in procs:
            p.start()
        deadline, first_done = time.time() + cfg.timeout_s, None
        while any(p.is_alive() for p in procs) and time.time() < deadline:
            if first_done is None and any(not p.is_alive() for p in procs):
                first_done = time.time()
            if first_done is not None and time.time() > first_done + 10:
                break
            time.sleep(0.05)
        for p in procs:
            if p.is_alive():
                p.kill()
            p.join()
        files = [Path(out) / f"rank{r}.pt" for r in range(cfg.world)]
        return [torch.load(f) if f.exists() else {"errors": {"setup": ("rank did not finish",
                                                                      False)}}
                for f in files]


def raise_if_failed(results: list[dict], part: str) -> None:
    """Re-raise, in the parent, the first error any rank met in ``part`` (or in its setup)."""
    for r in results:
        for where in ("setup", part):
            if where in r["errors"]:
                msg, not_implemented = r["errors"][where]
                raise (NotImplementedError if not_implemented else RuntimeError)(
                    f"a rank failed ({where}): {msg}")


def flat(tensors: list) -> torch.Tensor:
    return torch.cat([t.flatten() for t in tensors])


def check_backend(lab, cfg: Config, backend: str, names: tuple, diffs: dict) -> None:
    """Run the ranks over ``backend``; check data parallelism and the pipeline against one
    process (float64: sums over ranks or micro-batches agree to rounding)."""
    solution = str(lab.solution_path) if lab.solution_path else None  # for spawned ranks
    X, Y, model, layers = make_problem(cfg, lab.seed)
    ref = copy.deepcopy(model)  # oracle: one process, the full batch
    sgd_step(ref, X, Y, cfg.lr)
    ref_params = flat([p.detach() for p in ref.parameters()])
    loss = nn.functional.mse_loss(layers(X), Y)  # oracle: the unsplit model's gradients
    loss.backward()
    ref_grads = [flat([p.grad for p in layers[:3].parameters()]),
                 flat([p.grad for p in layers[3:].parameters()])]
    t0 = time.perf_counter()
    res = run_ranks(cfg, lab.seed, backend, solution, names)
    lab.metric(f"{backend}_ranks_wall_s", time.perf_counter() - t0, "s")
    tol = dict(rtol=1e-12, atol=1e-14) if backend == "gloo" else dict(rtol=1e-10, atol=1e-12)

    lab.section(f"data parallelism: {cfg.world} ranks over {backend}")
    with lab.guard(f"{backend} ranks run: data parallel (shard_batch, allreduce_mean_grads)"):
        raise_if_failed(res, "data parallel")
        rows = [r["rows"] for r in res]
        lab.check_equal(f"{backend}: shards (rows per rank, disjoint, cover the batch)",
                        ([len(r) for r in rows], sorted(sum(rows, [])) == list(range(cfg.n))),
                        ([cfg.n // cfg.world] * cfg.world, True))
        same = [all(torch.equal(a, b) for a, b in zip(res[0][key], res[1][key], strict=True))
                for key in ("ddp", "manual")]
        lab.check(f"{backend}: DDP ranks hold identical parameters", same[0], "bitwise equal",
                  "bitwise equal" if same[0] else "differ", graded=False)
        lab.check(f"{backend}: hand all-reduce: ranks hold identical parameters", same[1],
                  "bitwise equal", "bitwise equal" if same[1] else "differ",
                  hint="all-reduce the gradients (not the parameters) before the step")
        for key in ("ddp", "manual"):
            diffs[f"{backend} {key} vs full batch"] = float((flat(res[0][key])
                                                            - ref_params).abs().max())
            lab.check_close(f"{backend}: {key} step = single-process full-batch step",
                            flat(res[0][key]), ref_params, **tol,
                            hint="the mean over ranks: sum with all_reduce, divide by world")

    lab.section(f"pipeline parallelism: 2 stages on 2 ranks over {backend}, "
                f"{cfg.chunks} micro-batches")
    with lab.guard(f"{backend} ranks run: pipeline (pipeline_step)"):
        raise_if_failed(res, "pipeline")
        lab.check_close(f"{backend}: pipeline loss = unsplit full-batch loss", res[1]["loss"],
                        loss.item(), rtol=1e-12, hint="divide each micro-batch loss by chunks")
        for r in (0, 1):
            diffs[f"{backend} stage {r} gradients"] = float((flat(res[r]["grads"])
                                                            - ref_grads[r]).abs().max())
            lab.check_close(f"{backend}: stage {r} gradients (rank {r}) = unsplit model's",
                            flat(res[r]["grads"]), ref_grads[r], **tol,
                            hint="backpropagate the gradient that came back from rank 1")


def body(lab: kit.Lab) -> None:
    cfg = Config(n=lab.pick(64, 1024), hidden=lab.pick(32, 256))
    names = lab.only or EXERCISES  # the functions a spawned rank takes from the solution
    diffs: dict = {}  # what was compared -> max abs difference, for the plot
    check_backend(lab, cfg, "gloo", names, diffs)
    n_gpu = torch.cuda.device_count() if lab.device == "cuda" else 0
    if n_gpu >= 2:
        check_backend(lab, cfg, "nccl", names, diffs)
    else:
        lab.note(f"NCCL needs 2 or more GPUs ({n_gpu} here): only gloo (CPU) was run")

    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.barh(list(diffs), [max(v, 1e-18) for v in diffs.values()])
    ax.set_xscale("log")
    ax.set(xlabel="max |difference| from one process (float64; 1e-18 = exactly equal)",
           title="data and pipeline parallelism vs one process")
    lab.savefig(fig, "parallel_agreement.png")
    if len(diffs) >= 4:
        dp = max(diffs["gloo ddp vs full batch"], diffs["gloo manual vs full batch"])
        pp = max(diffs["gloo stage 0 gradients"], diffs["gloo stage 1 gradients"])
        lab.conclude(f"Your sharding and all-reduce made {cfg.world} gloo ranks take the "
                     f"full-batch SGD step to {dp:.0e}, and your pipeline step, sending "
                     f"{cfg.chunks} micro-batches of activations and gradients between 2 "
                     f"processes, matched the unsplit model's gradients to {pp:.0e}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("distributed-training", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
