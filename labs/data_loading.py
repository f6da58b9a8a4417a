"""Data loading: efficient batching, DataLoader workers, pinned memory, parallel loading.

A training step should never wait for data. Reading a sample from disk and decoding it costs
CPU time; ``DataLoader(num_workers=w)`` runs ``__getitem__`` in w worker processes that
prefetch batches while the model computes, so with enough workers the step only waits for
itself. ``pin_memory=True`` puts batches in page-locked host memory so the copy to the GPU
can be asynchronous (``.to(device, non_blocking=True)``). An IterableDataset must split its
stream between workers itself (``get_worker_info()``), or every worker yields everything.

Batching well matters too: sequences of different lengths are padded to the longest in
their batch, so grouping similar lengths (bucketing) cuts the padding. A bucketer sorts by
length, cuts consecutive full batches (only the last may be short: none is dropped) and
then shuffles the order of the batches, so the model does not see all short sequences
first; the order must come from the seed, so a run can be repeated.

This lab writes images to shard files on disk (zlib-compressed records, an offset index),
reads them back with real file I/O and decoding in a Dataset, trains a compute-bound model
on them and measures throughput and the time the loop waits for data against num_workers
(and pinned memory on a GPU), checking that every epoch yields each sample exactly once. You
write the worker sharding of an IterableDataset, the bucketing batcher and the padding
collate function, checked against torch's pad_sequence and the padding saved.

$ python labs/data_loading.py --quick
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
import time
import zlib
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
    n: int = 5120  # images on disk, one epoch (a multiple of the batch: full batches only)
    batch: int = 256  # images per batch
    side: int = 64  # images are (3, side, side) uint8, zlib-compressed on disk
    per_shard: int = 512  # images per shard file
    hidden: int = 8192  # MLP width: the step is compute-bound (about 0.5 TFLOP per batch)
    depth: int = 3  # hidden-to-hidden layers
    skip: int = 4  # batches ignored when measuring steady state (worker start-up)
    n_seqs: int = 1999  # variable-length sequences for bucketing (not a multiple of seq_batch)
    seq_batch: int = 32  # sequences per bucketed batch


def write_shards(folder: str, n: int, side: int, per_shard: int, seed: int) -> list:
    """Write n smooth random images as zlib records into shard files; the index per image."""
    rng = np.random.default_rng(seed)
    index = []  # (path, offset, length) of image i
    for s in range(0, n, per_shard):
        k = min(per_shard, n - s)
        lo = rng.normal(size=(k, 3, side // 8, side // 8))  # low-frequency content ...
        imgs = np.repeat(np.repeat(lo, 8, axis=2), 8, axis=3) + 0.05 * rng.normal(
            size=(k, 3, side, side))  # ... plus a little noise
        imgs = np.clip(128 + 40 * imgs, 0, 255).astype(np.uint8)  # (k, 3, side, side)
        path = os.path.join(folder, f"shard-{s // per_shard:05d}.bin")
        with open(path, "wb") as fh:
            for img in imgs:
                rec = zlib.compress(img.tobytes(), 1)
                index.append((path, fh.tell(), len(rec)))
                fh.write(rec)
    return index


class ShardDataset(Dataset):
    """Map-style dataset over shard files: seek, read, decompress, normalise, flip."""

    def __init__(self, index: list, side: int) -> None:
        self.index, self.side = index, side

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int):
        path, offset, length = self.index[i]
        with open(path, "rb") as fh:  # real file I/O: one record of one shard
            fh.seek(offset)
            raw = fh.read(length)
        img = np.frombuffer(zlib.decompress(raw), np.uint8).reshape(3, self.side, self.side)
        x = torch.from_numpy(img.astype(np.float32) / 255)  # decode
        x = (x - x.mean((1, 2), keepdim=True)) / (x.std((1, 2), keepdim=True) + 1e-6)
        return i, (x.flip(-1) if i % 2 else x), i % 10  # (index, image, label)


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

    The shards of all workers must be disjoint and together cover 0..n-1, for any n (not
    only multiples of num_workers).
    """
    return range(worker_id, n, num_workers)  # round robin: worker k takes k, k+w, k+2w, ...


def bucket_batches(lengths: list[int], batch_size: int, seed: int) -> list[list[int]]:
    """Batches of indices with similar lengths: every index exactly once, in shuffled order.

    Sort the indices by length, cut consecutive runs of ``batch_size`` (every batch is full
    but the last, which holds the remainder), then shuffle the order of the batches with a
    random generator seeded by ``seed`` (the same seed gives the same batches).
    """
    order = np.argsort(lengths, kind="stable")
    batches = [order[i:i + batch_size].tolist() for i in range(0, len(order), batch_size)]
    perm = np.random.default_rng(seed).permutation(len(batches))
    return [batches[i] for i in perm]


def pad_collate(seqs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad 1-D sequences with 0 to the longest: returns (B, T_max) with the sequences'
    dtype, and the original lengths (B,)."""
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


def fork_ctx(workers: int):
    return "fork" if workers and "fork" in mp.get_all_start_methods() else None


def run_epoch(lab, cfg, ds, train_step, workers, pin, epoch) -> dict:
    """One epoch: time each wait for a batch and each step; return throughput and indices."""
    dev = lab.torch_device
    loader = DataLoader(ds, batch_size=cfg.batch, shuffle=True, num_workers=workers,
                        pin_memory=pin, multiprocessing_context=fork_ctx(workers),
                        generator=torch.Generator().manual_seed(lab.seed + epoch))
    seen, waits, steps, pinned = [], [], [], True
    t_start = t_prev = time.perf_counter()
    for idx, x, y in loader:
        t_got = time.perf_counter()
        pinned &= x.is_pinned() if pin else True
        train_step(x.to(dev, non_blocking=pin), y.to(dev, non_blocking=pin)).item()  # syncs
        t_end = time.perf_counter()
        waits.append(t_got - t_prev)
        steps.append(t_end - t_prev)
        seen += idx.tolist()
        t_prev = t_end
    w, s = np.array(waits[cfg.skip:]), np.array(steps[cfg.skip:])
    return {"seen": seen, "pinned": pinned, "throughput": cfg.batch / float(np.median(s)),
            "wait_frac": float(np.median(w) / np.median(s)),  # a typical step's wait
            "epoch_s": time.perf_counter() - t_start}


def body(lab: kit.Lab) -> None:
    cuda = lab.device == "cuda"
    cfg = Config() if cuda else Config(n=lab.pick(96, 320), batch=8, hidden=256, depth=0,
                                       per_shard=32, skip=2)
    rng = np.random.default_rng(lab.seed)

    lab.section("IterableDataset: each worker yields only its shard")
    with lab.guard("worker_shard runs"):
        direct = {f"n={n}, {w} workers": audit([i for k in range(w)
                                                for i in worker_shard(n, k, w)], n)
                  for n in (7, 50, 51) for w in (1, 2, 3, 4)}
        lab.check_equal("worker_shard: lost/duplicated for n in (7, 50, 51), 1-4 workers",
                        {k: v for k, v in direct.items() if v != {"lost": 0, "duplicated": 0}},
                        {}, hint="the shards must cover n even when workers do not divide it")
        streamed = {nw: audit([int(i) for i in DataLoader(
            Stream(51), batch_size=None, num_workers=nw, multiprocessing_context=fork_ctx(nw))],
            51) for nw in (0, 2)}
        lab.check_equal("DataLoader over Stream(51), 0 and 2 workers: lost/duplicated",
                        streamed, {nw: {"lost": 0, "duplicated": 0} for nw in (0, 2)},
                        hint="use the worker id and count from get_worker_info()")

    lab.section("efficient batching: bucket by length, pad, compare with pad_sequence")
    lengths = np.clip(rng.lognormal(3.5, 0.8, cfg.n_seqs).astype(int), 1, 400).tolist()
    pad_r = pad_b = float("nan")
    with lab.guard("bucket_batches runs"):
        bsz = cfg.seq_batch
        buckets = bucket_batches(lengths, bsz, lab.seed)
        lab.check_equal("buckets: lost/duplicated sequences",
                        audit([i for b in buckets for i in b], cfg.n_seqs),
                        {"lost": 0, "duplicated": 0}, hint="keep the last, shorter batch")
        lab.check_equal("batches: all full but one (sizes other than the batch size)",
                        sorted(len(b) for b in buckets if len(b) != bsz), [cfg.n_seqs % bsz])
        perm = rng.permutation(cfg.n_seqs)
        rand = [perm[i:i + bsz].tolist() for i in range(0, cfg.n_seqs, bsz)]
        pad_r, pad_b = padding_fraction(rand, lengths), padding_fraction(buckets, lengths)
        lab.metric("padding_fraction_random", pad_r)
        lab.metric("padding_fraction_bucketed", pad_b)
        lab.check_le("bucketed padding / random padding", pad_b / pad_r, 0.5,
                     hint="sort by length before cutting batches")
        means = [np.mean([lengths[i] for i in b]) for b in buckets]
        rho = float(np.corrcoef(np.arange(len(means)), np.argsort(np.argsort(means)))[0, 1])
        lab.check_le("batch order shuffled: |rank correlation of position and length|",
                     abs(rho), 0.5, hint="shuffle the order of the batches, after cutting")
        again, other = bucket_batches(lengths, bsz, lab.seed), bucket_batches(lengths, bsz,
                                                                                lab.seed + 1)
        lab.check_equal("same seed: same batches; next seed: another order",
                        (again == buckets, other != buckets), (True, True),
                        hint="draw the order from np.random.default_rng(seed)")
    with lab.guard("pad_collate runs"):
        seqs = [torch.randint(1, 100, (n,)) for n in (5, 1, 9, 3)]
        padded, lens = pad_collate(seqs)
        lab.check_close("pad_collate = pad_sequence(batch_first)", padded,
                        pad_sequence(seqs, batch_first=True), rtol=0)
        lab.check_equal("pad_collate: dtype kept, lengths", (str(padded.dtype), lens.tolist()),
                        ("torch.int64", [5, 1, 9, 3]))

    lab.section(f"shards on disk, read and decoded by workers, on {lab.device}")
    cores = os.cpu_count() or 1
    worker_counts = [0] + [w for w in (1, 2, 4, 8, 16) if w <= max(cores, 2)]
    width = 3 * cfg.side * cfg.side
    layers = [nn.Flatten(), nn.Linear(width, cfg.hidden), nn.ReLU()]
    for _ in range(cfg.depth):
        layers += [nn.Linear(cfg.hidden, cfg.hidden), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(cfg.hidden, 10)).to(lab.torch_device)
    opt = torch.optim.SGD(model.parameters(), lr=1e-4)
    lab.metric("step_gflop", 6 * cfg.batch * sum(p.numel() for p in model.parameters()) / 1e9)

    def train_step(x, y) -> torch.Tensor:  # one SGD step: a fixed amount of compute
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.detach()

    threads, runs = torch.get_num_threads(), {}
    if not cuda:  # intra-op threads would spin on the cores the workers need
        torch.set_num_threads(1)
        lab.note(f"CPU: the model runs on 1 intra-op thread (was {threads}) so workers get cores")
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        ds = ShardDataset(write_shards(folder, cfg.n, cfg.side, cfg.per_shard, lab.seed),
                          cfg.side)
        mib = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) / 2**20
        lab.log(f"  wrote {cfg.n} images in {len(os.listdir(folder))} shards ({mib:.1f} MiB) "
                f"in {time.perf_counter() - t0:.1f} s")
        settings = [(w, False) for w in worker_counts] + ([(worker_counts[-1], True)] if cuda
                                                          else [])
        for k, (w, pin) in enumerate(settings):
            runs[(w, pin)] = r = run_epoch(lab, cfg, ds, train_step, w, pin, k)
            lab.log(f"  workers={w:2d} pin={pin!s:5}: {r['throughput']:8.1f} images/s, waiting "
                    f"{100 * r['wait_frac']:5.1f}% of a step, epoch {r['epoch_s']:.2f} s")
    torch.set_num_threads(threads)
    base, best = runs[(0, False)], max(runs, key=lambda s: runs[s]["throughput"])
    lab.metric("throughput_workers0", base["throughput"], "images/s")
    lab.metric("throughput_best", runs[best]["throughput"], "images/s")
    lab.metric("best_num_workers", best[0])
    lab.metric("loader_wait_fraction_best", runs[best]["wait_frac"])
    lab.metric("loader_wait_fraction_workers0", base["wait_frac"])
    with lab.shown():
        lab.check_equal("every epoch, every setting: lost/duplicated images",
                        {s: audit(r["seen"], cfg.n) for s, r in runs.items()},
                        {s: {"lost": 0, "duplicated": 0} for s in runs})
        lab.check("epochs are shuffled differently", base["seen"] != runs[(1, False)]["seen"],
                  "different orders", "differ" if base["seen"] != runs[(1, False)]["seen"]
                  else "same")
        if cuda:  # the model computes on the GPU, the workers decode on free CPU cores
            lab.check_equal("pin_memory=True yields pinned batches",
                            runs[settings[-1]]["pinned"], True)
            lab.check_le("median wait per step: best setting / 0 workers",
                         runs[best]["wait_frac"] / base["wait_frac"], 0.5,
                         "workers decode the next batches while the GPU computes")
            lab.check_ge("best throughput / 0 workers", runs[best]["throughput"]
                         / base["throughput"], 1.5, "decoding in parallel feeds the GPU")
            lab.note(f"loader wait at the best setting: {runs[best]['wait_frac']:.3f} of a step "
                     "(aim: <= 0.10)")
        else:
            lab.note("on a CPU the model and the workers share the same cores (and, under a "
                     "test runner, other processes'): the speed-up shown is this machine's, "
                     "reported, not checked; on a GPU it is checked")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ws = worker_counts
    a1.plot(ws, [runs[(w, False)]["throughput"] for w in ws], "o-", label="measured")
    if cuda:
        a1.plot([ws[-1]], [runs[(ws[-1], True)]["throughput"]], "s", label="pin_memory")
    a1.set_xticks(ws)
    a1.set(xlabel="num_workers", ylabel="images / s", title="steady-state throughput")
    a1.legend(fontsize=8)
    a2.bar([str(w) for w in ws], [100 * runs[(w, False)]["wait_frac"] for w in ws])
    a2.set(xlabel="num_workers", ylabel="% of a step", title="training loop waiting for data")
    lab.savefig(fig, "loader_throughput.png")
    loading = (f"reading and decoding the shards with {best[0]} workers gave "
               f"{runs[best]['throughput'] / base['throughput']:.1f}x the throughput of 0 "
               f"workers on {lab.device}, the loop waiting {runs[best]['wait_frac']:.0%} of a "
               f"step instead of {base['wait_frac']:.0%}") if best[0] else (
        f"on this {lab.device} workers did not beat loading in the training process (they "
        "share its cores)")
    if pad_b == pad_b:
        lab.conclude(f"Your bucketing cut padding from {pad_r:.0%} to {pad_b:.0%} of the "
                     f"slots with every sequence kept and the batch order shuffled; {loading}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("data-loading", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
