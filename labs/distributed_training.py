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
single-process full-batch step. It splits a model across two devices (two GPUs, one GPU and
the CPU, or CPU stand-ins) and checks outputs and gradients against the unsplit model; with
2 or more GPUs it repeats the DDP step over NCCL.

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

EXERCISES = ("shard_batch", "allreduce_mean_grads", "split_model")


@dataclass
class Config:
    world: int = 2  # processes (ranks)
    n: int = 64  # global batch: a multiple of world, so every shard has the same size
    dim: int = 16  # input features
    hidden: int = 32  # MLP width
    lr: float = 0.1  # SGD learning rate
    timeout_s: float = 90.0  # kill the ranks if they have not finished by then


def shard_batch(x: torch.Tensor, rank: int, world: int) -> torch.Tensor:
    """This rank's contiguous slice of the global batch (dim 0); shards are disjoint."""
    per = x.shape[0] // world
    return x[rank * per:(rank + 1) * per]


def allreduce_mean_grads(model: nn.Module, world: int) -> None:
    """Replace every gradient by its mean over the ranks (what DDP does for you)."""
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)  # sum over ranks, in place
            p.grad /= world


class TwoStage(nn.Module):
    """Two consecutive stages on two devices; the activation hops between them."""

    def __init__(self, first: nn.Module, second: nn.Module, devices) -> None:
        super().__init__()
        self.devices = [torch.device(d) for d in devices]
        self.first, self.second = first.to(self.devices[0]), second.to(self.devices[1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.first(x.to(self.devices[0]))
        return self.second(h.to(self.devices[1]))  # autograd follows the copy back


def split_model(layers: nn.Sequential, devices) -> nn.Module:
    """Model parallelism: the first half of ``layers`` on devices[0], the rest on devices[1]."""
    k = len(layers) // 2
    return TwoStage(layers[:k], layers[k:], devices)


def make_problem(cfg: Config, seed: int):
    """The same data and initial model on every rank (float64 so sums agree to 1e-12)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(cfg.n, cfg.dim, generator=g, dtype=torch.float64)
    Y = torch.randn(cfg.n, 1, generator=g, dtype=torch.float64)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(cfg.dim, cfg.hidden), nn.Tanh(), nn.Linear(cfg.hidden, 1))
    return X, Y, model.double()


def sgd_step(model, x, y, lr, sync=None) -> None:
    """One SGD step on the mean squared error; ``sync(model)`` runs between backward and step."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    nn.functional.mse_loss(model(x), y).backward()
    if sync is not None:
        sync(model)
    opt.step()


def rank_worker(rank: int, cfg: Config, seed: int, port: int, backend: str, out: str,
                solution: str | None) -> None:
    """One rank: a DDP step and a hand-all-reduced step on its shard; saves its parameters."""
    result = {}
    try:
        if solution:  # the rank re-imported this file: rebind the learner's functions
            ns = runpy.run_path(solution, run_name="learner_solution")
            globals().update({name: ns[name] for name in EXERCISES})
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        dist.init_process_group(backend, rank=rank, world_size=cfg.world,
                                timeout=timedelta(seconds=cfg.timeout_s))
        dev = torch.device(f"cuda:{rank}" if backend == "nccl" else "cpu")
        if backend == "nccl":
            torch.cuda.set_device(dev)
        X, Y, model = make_problem(cfg, seed)
        x, y = shard_batch(X, rank, cfg.world).to(dev), shard_batch(Y, rank, cfg.world).to(dev)
        ddp_model = copy.deepcopy(model).to(dev)
        ddp = DDP(ddp_model, device_ids=[rank] if backend == "nccl" else None)
        sgd_step(ddp, x, y, cfg.lr)
        manual = copy.deepcopy(model).to(dev)
        sgd_step(manual, x, y, cfg.lr, sync=lambda m: allreduce_mean_grads(m, cfg.world))
        result = {"ddp": [p.detach().cpu() for p in ddp_model.parameters()],
                  "manual": [p.detach().cpu() for p in manual.parameters()],
                  "shard_rows": x.shape[0]}
        dist.destroy_process_group()
    except Exception as exc:  # noqa: BLE001 - reported by the parent, without a traceback
        result = {"error": f"{type(exc).__name__}: {exc}",
                  "not_implemented": isinstance(exc, NotImplementedError)}
    path = Path(out) / f"rank{rank}.pt"
    torch.save(result, path.with_suffix(".tmp"))
    os.replace(path.with_suffix(".tmp"), path)  # atomic: the parent never reads half a file


def run_ranks(cfg: Config, seed: int, backend: str, solution: str | None) -> list[dict]:
    """Start cfg.world rank processes; collect what each saved (an error, if it failed).

    The ranks are fresh interpreters (spawn), never forks of this process: a fork copies
    the locks of torch's CPU thread pool and of the CUDA driver but not their threads, so
    once this process has computed anything a forked rank can hang in its first op.
    """
    with socket.socket() as s:  # a free port for the rendezvous
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as out:
        procs = [ctx.Process(target=rank_worker,
                             args=(r, cfg, seed, port, backend, out, solution))
                 for r in range(cfg.world)]
        for p in procs:
            p.start()
        deadline = time.time() + cfg.timeout_s
        while any(p.is_alive() for p in procs) and time.time() < deadline:
            errors = [f for f in Path(out).glob("rank*.pt") if "error" in torch.load(f)]
            if errors:  # one rank failed: the others may wait forever in a collective
                time.sleep(1.0)
                break
            time.sleep(0.05)
        for p in procs:
            if p.is_alive():
                p.kill()
            p.join()
        files = [Path(out) / f"rank{r}.pt" for r in range(cfg.world)]
        results = [torch.load(f) if f.exists() else {"error": "rank did not finish"}
                   for f in files]
    for r in results:
        if "error" in r:
            if r.get("not_implemented"):
                raise NotImplementedError(r["error"])
            raise RuntimeError(f"a rank failed: {r['error']}")
    return results


def max_diff(a: list, b: list) -> float:
    return max(float((x - y).abs().max()) for x, y in zip(a, b, strict=True))


def body(lab: kit.Lab) -> None:
    cfg = Config(n=lab.pick(64, 1024), hidden=lab.pick(32, 256))
    diffs = {}  # what was compared -> max abs difference, for the plot
    solution = str(lab.solution_path) if lab.solution_path else None  # for spawned ranks

    lab.section("single process, full batch: the reference step")
    X, Y, model = make_problem(cfg, lab.seed)
    ref = copy.deepcopy(model)
    sgd_step(ref, X, Y, cfg.lr)
    ref_params = [p.detach() for p in ref.parameters()]

    lab.section(f"DDP with gloo on {cfg.world} CPU processes")
    with lab.guard("ranks run (shard_batch, allreduce_mean_grads)"):
        t0 = time.perf_counter()
        res = run_ranks(cfg, lab.seed, "gloo", solution)
        lab.metric("gloo_ranks_wall_s", time.perf_counter() - t0, "s")
        lab.check_equal("shard rows per rank", [r["shard_rows"] for r in res],
                        [cfg.n // cfg.world] * cfg.world)
        same = all(torch.equal(a, b) for a, b in zip(res[0]["ddp"], res[1]["ddp"], strict=True))
        lab.check("DDP: ranks hold identical parameters", same, "bitwise equal",
                  "bitwise equal" if same else "differ")
        diffs["rank 0 vs rank 1 (DDP)"] = max_diff(res[0]["ddp"], res[1]["ddp"])
        for key in ("ddp", "manual"):
            diffs[f"{key} vs full batch"] = max_diff(res[0][key], ref_params)
            lab.check_close(f"{key} step = single-process full-batch step (float64)",
                            torch.cat([p.flatten() for p in res[0][key]]),
                            torch.cat([p.flatten() for p in ref_params]), rtol=1e-12, atol=1e-14)

    lab.section("model parallelism: one model split across two devices")
    n_gpu = torch.cuda.device_count() if lab.device == "cuda" else 0
    devices = ["cuda:0", "cuda:1"] if n_gpu >= 2 else (["cuda:0", "cpu"] if n_gpu else
                                                       ["cpu", "cpu"])
    if n_gpu < 2:
        lab.note(f"{n_gpu} GPU(s): the split runs on {devices} (stand-ins for two GPUs)")
    torch.manual_seed(lab.seed)
    layers = nn.Sequential(*[m for _ in range(3) for m in (nn.Linear(cfg.hidden, cfg.hidden),
                                                             nn.GELU())], nn.Linear(cfg.hidden, 4))
    layers = layers.double()
    x = torch.randn(8, cfg.hidden, dtype=torch.float64)
    with lab.guard("split_model runs"):
        whole = copy.deepcopy(layers)
        split = split_model(copy.deepcopy(layers), devices)
        out_whole, out_split = whole(x), split(x)
        out_whole.square().sum().backward()
        out_split.square().sum().backward()
        out_whole, out_split = out_whole.detach(), out_split.detach()
        lab.check_close("split model output = unsplit", out_split.cpu(), out_whole, rtol=1e-12,
                        atol=1e-14)
        g_w = torch.cat([p.grad.flatten() for p in whole.parameters()])
        g_s = torch.cat([p.grad.flatten().cpu() for p in split.parameters()])
        lab.check_close("split model gradients = unsplit", g_s, g_w, rtol=1e-12, atol=1e-14)
        diffs["split vs unsplit output"] = float((out_split.cpu() - out_whole).abs().max())
        where = [p.device for p in split.parameters()]
        lab.check_equal("first layer on devices[0], last layer on devices[1]",
                        [str(where[0]), str(where[-1])],
                        [str(torch.device(d)) for d in devices])

    lab.section("NCCL (GPU-to-GPU)")
    if n_gpu >= 2:
        with lab.guard("NCCL ranks run"):
            res = run_ranks(cfg, lab.seed, "nccl", solution)
            lab.check_close("NCCL DDP step = single-process full-batch step",
                            torch.cat([p.flatten() for p in res[0]["ddp"]]),
                            torch.cat([p.flatten() for p in ref_params]), rtol=1e-10, atol=1e-12)
    else:
        lab.note(f"NCCL needs 2 or more GPUs ({n_gpu} here): only gloo was run")

    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.barh(list(diffs), [max(v, 1e-18) for v in diffs.values()])
    ax.set_xscale("log")
    ax.set(xlabel="max |difference| (float64; 1e-18 = exactly equal)",
           title="data and model parallelism vs one process")
    lab.savefig(fig, "parallel_agreement.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("distributed-training", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
