"""Data loading: efficient batching, DataLoader workers, pinned memory, parallel loading.

A training step should never wait for data. When reading and decoding a sample is slow,
``DataLoader(num_workers=w)`` runs ``__getitem__`` in w worker processes that prefetch
batches while the model computes; ``pin_memory=True`` puts batches in page-locked host
memory so the copy to the GPU can be asynchronous (``.to(device, non_blocking=True)``).
Batching well matters too: grouping sequences of similar length (bucketing) cuts padding.
Two classic bugs lose or repeat samples: an IterableDataset that does not split its stream
between workers (every worker yields everything), and a batcher that drops the last,
partial batch.

This lab uses a deliberately slow dataset (it sleeps per item), measures steady-state
throughput and the time the training loop waits for data against num_workers (and pinned
memory on a GPU), checks that every epoch yields each sample exactly once, shards an
IterableDataset across workers, and buckets variable-length sequences, checking the
padded batches against torch's pad_sequence and the padding saved against random batches.

$ python labs/data_loading.py --quick
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("worker_shard", "bucket_batches", "pad_collate")


@dataclass
class Config:
    n: int = 2000  # samples per epoch (not a multiple of the batch: the last batch is partial)
    batch: int = 32  # samples per batch
    delay_s: float = 0.002  # sleep per sample: the "slow disk / decoder"
    dim: int = 1024  # features per sample
    step_ms: float = 20.0  # a training step keeps computing for this long
    skip: int = 4  # batches ignored when measuring steady state (worker start-up, prefetch)
    n_seqs: int = 1999  # variable-length sequences for bucketing (not a multiple of batch)


class SlowDataset(Dataset):
    """Map-style dataset whose items cost ``delay_s`` each; an item carries its index."""

    def __init__(self, n: int, dim: int, delay_s: float) -> None:
        self.n, self.dim, self.delay_s = n, dim, delay_s

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        time.sleep(self.delay_s)  # simulated I/O + decoding
        g = torch.Generator().manual_seed(i)
        return i, torch.randn(self.dim, generator=g), i % 10  # (index, features, label)


class Stream(IterableDataset):
    """An IterableDataset of indices 0..n-1; each worker must yield only its shard."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        info = get_worker_info()  # None in the main process
        wid, nw = (0, 1) if info is None else (info.id, info.num_workers)
        yield from worker_shard(self.n, wid, nw)


def worker_shard(n: int, worker_id: int, num_workers: int) -> range:
    """Indices of 0..n-1 that worker ``worker_id`` of ``num_workers`` yields.

    The shards of all workers must be disjoint and together cover 0..n-1.
    """
    return range(worker_id, n, num_workers)  # round robin: worker k takes k, k+w, k+2w, ...


def bucket_batches(lengths: list[int], batch_size: int, seed: int) -> list[list[int]]:
    """Batches of indices with similar lengths: every index exactly once, in shuffled order.

    Sort indices by length, cut consecutive runs of ``batch_size`` (the last may be
    shorter), then shuffle the order of the batches with ``seed``.
    """
    order = np.argsort(lengths, kind="stable")
    batches = [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]
    perm = np.random.default_rng(seed).permutation(len(batches))
    return [batches[i] for i in perm]


def pad_collate(seqs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad 1-D sequences with 0 to the longest: returns (B, T_max) and the lengths (B,)."""
    lengths = torch.tensor([len(s) for s in seqs])
    out = torch.zeros(len(seqs), int(lengths.max()), dtype=seqs[0].dtype)  # (B, T_max)
    for row, s in enumerate(seqs):
        out[row, : len(s)] = s
    return out, lengths


def audit(seen: list[int], n: int) -> dict:
    """How many of 0..n-1 never appeared, and how many appearances were repeats."""
    return {"lost": len(set(range(n)) - set(seen)), "duplicated": len(seen) - len(set(seen))}


def padding_fraction(batches, lengths) -> float:
    """Share of the padded (B, T_max) slots that hold padding."""
    slots = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    return 1 - sum(lengths) / slots


def run_epoch(lab, cfg, ds, train_step, workers, pin, epoch) -> dict:
    """One epoch: time each wait for a batch and each step; return throughput and indices."""
    dev = lab.torch_device
    ctx = "fork" if workers and "fork" in mp.get_all_start_methods() else None
    loader = DataLoader(ds, batch_size=cfg.batch, shuffle=True, num_workers=workers,
                        pin_memory=pin, multiprocessing_context=ctx,
                        generator=torch.Generator().manual_seed(lab.seed + epoch))
    seen, waits, steps, pinned = [], [], [], True
    t_start = t_prev = time.perf_counter()
    for idx, x, y in loader:
        t_got = time.perf_counter()
        pinned &= x.is_pinned() if pin else True
        x, y = x.to(dev, non_blocking=pin), y.to(dev, non_blocking=pin)
        train_step(x, y).item()  # .item() syncs: the step is done
        t_end = time.perf_counter()
        waits.append(t_got - t_prev)
        steps.append(t_end - t_prev)
        seen += idx.tolist()
        t_prev = t_end
    w, s = np.array(waits[cfg.skip:]), np.array(steps[cfg.skip:])
    n_steady = sum(min(cfg.batch, cfg.n - k * cfg.batch) for k in range(cfg.skip, len(steps)))
    return {"seen": seen, "pinned": pinned, "first_batch_s": waits[0],
            "throughput": n_steady / s.sum(), "wait_frac": w.sum() / s.sum(),
            "throughput_median": cfg.batch / float(np.median(s)),  # a typical full batch
            "wait_frac_median": float(np.median(w) / np.median(s)),  # a typical step
            "epoch_s": time.perf_counter() - t_start}


def body(lab: kit.Lab) -> None:
    cuda = lab.device == "cuda"
    cfg = Config() if cuda else Config(n=lab.pick(32, 80), batch=2, delay_s=0.02, dim=64,
                                       step_ms=40.0, skip=2)
    cores = os.cpu_count() or 1
    worker_counts = [0] + [w for w in (1, 2, 4, 8, 16) if w <= max(cores, 2)]
    rng = np.random.default_rng(lab.seed)

    lab.section("IterableDataset: each worker yields only its shard")
    with lab.guard("worker_shard runs"):
        for nw in (0, 2):
            ctx = "fork" if nw and "fork" in mp.get_all_start_methods() else None
            got = [int(i) for i in DataLoader(Stream(51), batch_size=None, num_workers=nw,
                                               multiprocessing_context=ctx)]
            lab.check_equal(f"stream of 51 with {nw} workers: lost/duplicated", audit(got, 51),
                            {"lost": 0, "duplicated": 0})

    lab.section("efficient batching: bucket by length, pad, compare with pad_sequence")
    lengths = np.clip(rng.lognormal(3.5, 0.8, cfg.n_seqs).astype(int), 1, 400).tolist()
    with lab.guard("bucket_batches runs"):
        buckets = bucket_batches(lengths, cfg.batch, lab.seed)
        lab.check_equal("buckets: lost/duplicated sequences",
                        audit([i for b in buckets for i in b], cfg.n_seqs),
                        {"lost": 0, "duplicated": 0})
        lab.check_le("buckets: largest batch size", max(len(b) for b in buckets), cfg.batch)
        perm = rng.permutation(cfg.n_seqs)
        rand = [perm[i:i + cfg.batch].tolist() for i in range(0, cfg.n_seqs, cfg.batch)]
        pad_r, pad_b = padding_fraction(rand, lengths), padding_fraction(buckets, lengths)
        lab.metric("padding_fraction_random", pad_r)
        lab.metric("padding_fraction_bucketed", pad_b)
        lab.check_le("bucketed padding / random padding", pad_b / pad_r, 0.5)
    with lab.guard("pad_collate runs"):
        seqs = [torch.randint(1, 100, (n,)) for n in (5, 1, 9, 3)]
        padded, lens = pad_collate(seqs)
        lab.check_close("pad_collate = pad_sequence(batch_first)", padded,
                        pad_sequence(seqs, batch_first=True), rtol=0)
        lab.check_equal("pad_collate lengths", lens.tolist(), [5, 1, 9, 3])

    lab.section(f"slow dataset ({1e3 * cfg.delay_s:g} ms/item) vs num_workers on {lab.device}")
    ds = SlowDataset(cfg.n, cfg.dim, cfg.delay_s)
    model = nn.Sequential(nn.Linear(cfg.dim, 4 * cfg.dim), nn.ReLU(), nn.Linear(4 * cfg.dim, 10))
    model = model.to(lab.torch_device)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)

    def train_step(x, y) -> torch.Tensor:  # SGD steps on the batch for step_ms of wall time
        t_end = time.perf_counter() + cfg.step_ms / 1e3
        while True:  # a stand-in for a model big enough to take step_ms per batch
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            if loss.item() is not None and time.perf_counter() >= t_end:  # .item() syncs
                return loss.detach()

    settings = [(w, False) for w in worker_counts]
    runs = {}
    threads = torch.get_num_threads()
    if not cuda:  # intra-op threads would spin on the cores the workers need to wake up on
        torch.set_num_threads(1)
        lab.note(f"CPU: the model runs on 1 intra-op thread (was {threads}) so workers get cores")
    for k, (w, pin) in enumerate(settings):
        runs[(w, pin)] = r = run_epoch(lab, cfg, ds, train_step, w, pin, k)
        lab.log(f"  workers={w:2d} pin={pin!s:5}: {r['throughput']:8.1f} samples/s, "
                f"waiting {100 * r['wait_frac']:5.1f}% of step time, first batch after "
                f"{r['first_batch_s']:.3f} s, epoch {r['epoch_s']:.2f} s")
        if pin is False and w == worker_counts[-1] and cuda:  # add pinned memory at max workers
            settings.append((w, True))
    torch.set_num_threads(threads)
    for (w, pin), r in runs.items():
        lab.check_equal(f"workers={w} pin={pin}: lost/duplicated samples", audit(r["seen"], cfg.n),
                        {"lost": 0, "duplicated": 0})
    lab.check("epochs are shuffled differently",
              runs[settings[0]]["seen"] != runs[settings[1]]["seen"], "different orders",
              "differ" if runs[settings[0]]["seen"] != runs[settings[1]]["seen"] else "same")
    if cuda:
        lab.check_equal("pin_memory=True yields pinned batches",
                        runs[(worker_counts[-1], True)]["pinned"], True)
    else:
        lab.note("pin_memory needs CUDA: pinned transfers are compared on a GPU only")
    best = max(runs, key=lambda s: runs[s]["throughput"])
    base = runs[(0, False)]
    lab.metric("throughput_workers0", base["throughput"], "samples/s")
    lab.metric("throughput_best", runs[best]["throughput"], "samples/s")
    lab.metric("best_num_workers", best[0])
    lab.metric("loader_wait_fraction", runs[best]["wait_frac"])
    lab.metric("loader_wait_fraction_median", runs[best]["wait_frac_median"])
    lab.metric("loader_wait_fraction_workers0", base["wait_frac"])
    w2 = runs[(2, False)]
    lab.check_ge("2 workers / 0 workers throughput (median step)",
                 w2["throughput_median"] / base["throughput_median"], 1.3,
                 "a sleeping loader parallelises even on 2 cores (ideal here: about 2); "
                 "medians, so one late wake-up on a busy machine does not decide it")
    lab.check_le("median wait fraction: best setting / 0 workers",
                 runs[best]["wait_frac_median"] / base["wait_frac_median"], 0.7,
                 "medians, loose bound: a busy 2-core machine delays every worker wake-up")
    if cuda:
        lab.note(f"loader wait at the best setting: {runs[best]['wait_frac']:.3f} of step time "
                 "(target <= 0.10 on a GPU)")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ws = worker_counts
    a1.plot(ws, [runs[(w, False)]["throughput"] for w in ws], "o-", label="measured")
    load_s, step_s = cfg.batch * cfg.delay_s, cfg.step_ms / 1e3  # per batch, nominal
    ideal = [cfg.batch / (load_s + step_s) if w == 0 else min(w / load_s, 1 / step_s) * cfg.batch
             for w in ws]  # serial without workers; else the slower of loader and model
    a1.plot(ws, ideal, "k:", label="ideal: min(workers x loader, model)")
    a1.set_xticks(ws)
    if cuda:
        a1.plot([ws[-1]], [runs[(ws[-1], True)]["throughput"]], "s", label="pin_memory")
    a1.set(xlabel="num_workers", ylabel="samples / s", title="steady-state throughput")
    a1.legend(fontsize=8)
    a2.bar([str(w) for w in ws], [100 * runs[(w, False)]["wait_frac"] for w in ws])
    a2.set(xlabel="num_workers", ylabel="% of step time", title="training loop waiting for data")
    lab.savefig(fig, "loader_throughput.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("data-loading", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
