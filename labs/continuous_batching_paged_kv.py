"""Continuous batching and a paged KV cache: how LLM servers keep the GPU busy.

A server decodes many requests together: one model step advances every sequence in the
batch by one token, and since decode is memory-bound a step costs about the same for one
sequence as for a full batch. *Static batching* takes B requests and runs until the
longest finishes: a request that stops after 3 tokens leaves its slot idle while another
runs for 30. *Continuous batching* (Orca, 2022) schedules per step instead: a finished
request leaves at once and a waiting one takes its slot, so the batch stays full.

Requests of unknown, different lengths also fragment memory if each reserves a
contiguous KV cache for its longest possible output. vLLM's *PagedAttention* (2023) stores
the cache in fixed-size blocks from a shared pool, like virtual-memory pages: each sequence
has a block table mapping its logical blocks to physical ones, takes a new block only
when its last one is full, and returns all of them when it finishes. Attention gathers
the sequence's keys and values through the block table.

You write the slot allocation and the gather of a paged cache, and a continuous-batching
scheduler over the lab's engine (a tiny float64 GPT whose attention reads the paged
cache). Checks: the gather equals a contiguous cache, no two live tokens share a slot,
blocks are taken only when needed and all come back; every request's output equals
generating it alone (full recompute, no cache); the scheduler admits in arrival order,
never overfills the batch and needs exactly the model steps of first-come-first-served
list scheduling: fewer steps and wasted slots than static batching, counted, not timed.

$ python labs/continuous_batching_paged_kv.py --quick
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field

import kit
import matplotlib
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("append_slot", "gather_kv", "continuous_batching")


@dataclass
class Config:
    vocab: int = 32  # token ids
    d: int = 32  # model width (2 heads of 16)
    heads: int = 2
    layers: int = 2
    block_size: int = 4  # tokens per KV block
    requests: int = 16  # requests in the workload
    max_batch: int = 4  # sequences per model step


@dataclass
class Request:
    rid: int  # arrival order
    prompt: list  # token ids
    max_new: int  # tokens to generate
    output: list = field(default_factory=list)  # generated ids, appended by the scheduler


def append_slot(block_table: list, length: int, free_blocks: list,
                block_size: int) -> tuple[int, int]:
    """The physical slot ``(block, offset)`` for position ``length`` of a sequence that
    holds ``length`` tokens (positions 0 .. length-1) in the blocks of ``block_table``.

    When those blocks are full (no block yet, or length a multiple of block_size), take a
    block out of ``free_blocks`` (remove it, e.g. ``free_blocks.pop()``) and append it to
    ``block_table``; otherwise the position goes into the last block. Position p lives
    at ``(block_table[p // block_size], p % block_size)``.
    """
    if length == len(block_table) * block_size:
        block_table.append(free_blocks.pop())
    return block_table[length // block_size], length % block_size


def gather_kv(pool: torch.Tensor, block_table: list, length: int) -> torch.Tensor:
    """The first ``length`` cached positions of a sequence, contiguous and in order.

    ``pool``: (num_blocks, block_size, H, dh), every sequence's blocks; ``block_table``:
    the sequence's physical block ids, logical order. Returns (length, H, dh).
    """
    blocks = pool[torch.tensor(block_table, dtype=torch.long)]  # (n, block_size, H, dh)
    return blocks.reshape(-1, *pool.shape[2:])[:length]


def continuous_batching(engine, requests: list, max_batch: int) -> dict:
    """Serve ``requests`` (in arrival order) with continuous batching; returns
    ``{rid: output}``.

    Before every step, admit waiting requests in arrival order while fewer than
    ``max_batch`` are running. ``engine.step(batch)`` runs one model step for the list of
    running requests (a request's first step is its prefill) and returns one new token per
    request, in order: append each to ``request.output``. A request is done when it has
    ``max_new`` tokens: call ``engine.release(request)`` (its KV blocks go back to the
    pool) and drop it from the batch at once, so its slot is free for the next step.
    """
    waiting, running = deque(requests), []
    while waiting or running:
        while waiting and len(running) < max_batch:
            running.append(waiting.popleft())
        for r, tok in zip(running, engine.step(running), strict=True):
            r.output.append(tok)
        for r in [r for r in running if len(r.output) == r.max_new]:
            engine.release(r)
            running.remove(r)
    return {r.rid: r.output for r in requests}


class TinyGPT(nn.Module):
    """A float64 GPT; ``full(tokens)`` is the oracle: one causal pass, no cache."""

    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.cfg, d = cfg, cfg.d
        self.tok, self.pos = nn.Embedding(cfg.vocab, d), nn.Embedding(128, d)
        self.qkv = nn.ModuleList(nn.Linear(d, 3 * d) for _ in range(cfg.layers))
        self.mlp = nn.ModuleList(nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 4 * d), nn.GELU(),
                                               nn.Linear(4 * d, d)) for _ in range(cfg.layers))
        self.ln = nn.ModuleList(nn.LayerNorm(d) for _ in range(cfg.layers))
        self.head = nn.Linear(d, cfg.vocab)
        self.double()

    def heads(self, x: torch.Tensor, i: int) -> list:
        t, h = x.shape[0], self.cfg.heads
        return [z.view(t, h, -1) for z in self.qkv[i](self.ln[i](x)).chunk(3, -1)]  # (T,H,dh)

    def full(self, tokens: list) -> torch.Tensor:
        x = self.tok(torch.tensor(tokens)) + self.pos(torch.arange(len(tokens)))
        for i in range(self.cfg.layers):
            q, k, v = (z.transpose(0, 1) for z in self.heads(x, i))  # (H, T, dh)
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + a.transpose(0, 1).reshape(x.shape)
            x = x + self.mlp[i](x)
        return self.head(x)  # (T, vocab)


class Engine:
    """Runs model steps over a paged KV cache (through append_slot and gather_kv), keeps a
    contiguous copy of every cache to compare with, and counts what a scheduler does."""

    def __init__(self, model: TinyGPT, num_blocks: int, max_batch: int) -> None:
        cfg = model.cfg
        self.model, self.bs, self.max_batch = model, cfg.block_size, max_batch
        self.pool = torch.zeros(cfg.layers, 2, num_blocks, cfg.block_size, cfg.heads,
                                cfg.d // cfg.heads, dtype=torch.float64)
        self.free = list(range(num_blocks))
        self.seq: dict[int, dict] = {}  # rid -> block table, length, contiguous copy
        self.owner: dict[tuple, int] = {}  # (block, offset) -> the rid that wrote it last
        self.steps = self.busy = self.collisions = self.peak_blocks = 0
        self.gather_err = 0.0
        self.violations: list[str] = []
        self.admitted: list[int] = []
        self.history: list[list[int]] = []

    def step(self, batch: list) -> list:
        self.steps += 1
        self.busy += len(batch)
        self.history.append([r.rid for r in batch])
        if len(batch) > self.max_batch:
            self.violations.append(f"step {self.steps}: {len(batch)} > {self.max_batch}")
        for r in batch:
            if len(r.output) >= r.max_new:
                self.violations.append(f"step {self.steps}: request {r.rid} already done")
        with torch.no_grad():
            return [self._advance(r) for r in batch]

    def _advance(self, r: Request) -> int:
        s, m = self.seq.get(r.rid), self.model
        if s is None:  # first step: prefill the prompt
            self.admitted.append(r.rid)
            s = self.seq[r.rid] = {"table": [], "len": 0, "kv": [[] for _ in range(m.cfg.layers)]}
        new, start = (list(r.prompt) if s["len"] == 0 else [r.output[-1]]), s["len"]
        slots = [append_slot(s["table"], p, self.free, self.bs)
                 for p in range(start, start + len(new))]
        for slot in slots:
            owner = self.owner.get(slot, r.rid)
            self.collisions += owner != r.rid and owner in self.seq  # a live sequence's slot
            self.owner[slot] = r.rid
        s["len"] = start + len(new)
        self.peak_blocks = max(self.peak_blocks, self.pool.shape[2] - len(self.free))
        x = m.tok(torch.tensor(new)) + m.pos(torch.arange(start, s["len"]))
        for i in range(m.cfg.layers):
            q, k, v = m.heads(x, i)
            for j, (blk, off) in enumerate(slots):
                self.pool[i, :, blk, off] = torch.stack([k[j], v[j]])
            keys, vals = (gather_kv(self.pool[i, c], s["table"], s["len"]) for c in (0, 1))
            s["kv"][i].append(torch.stack([k, v]))  # the contiguous cache, to compare with
            for got, want in zip((keys, vals), torch.cat(s["kv"][i], dim=1), strict=True):
                self.gather_err = max(self.gather_err, math.inf if got.shape != want.shape
                                      else float((got - want).abs().max()))
            mask = torch.ones(len(new), len(keys), dtype=torch.bool).tril(start)  # causal
            a = F.scaled_dot_product_attention(q.transpose(0, 1), keys.transpose(0, 1),
                                               vals.transpose(0, 1), attn_mask=mask)
            x = x + a.transpose(0, 1).reshape(x.shape)
            x = x + m.mlp[i](x)
        return int(m.head(x[-1]).argmax())

    def release(self, r: Request) -> None:
        s = self.seq.pop(r.rid, None)
        if s is not None:
            self.free.extend(s["table"])


def static_batching(engine: Engine, requests: list, max_batch: int) -> dict:
    """The baseline: groups of max_batch in arrival order, each run until all are done."""
    for g in range(0, len(requests), max_batch):
        group = requests[g:g + max_batch]
        while live := [r for r in group if len(r.output) < r.max_new]:
            for r, tok in zip(live, engine.step(live), strict=True):
                r.output.append(tok)
                if len(r.output) == r.max_new:
                    engine.release(r)
    return {r.rid: r.output for r in requests}


def fcfs_steps(lengths: list, slots: int) -> int:
    """Model steps of first-come-first-served list scheduling: each request takes the slot
    that frees first and holds it for its max_new steps."""
    free = [0] * slots
    for n in lengths:
        heapq.heappush(free, heapq.heappop(free) + n)
    return max(free)


def workload(cfg: Config, g: torch.Generator) -> list:
    """Mostly short requests and a few long ones, in random arrival order."""
    lengths = [int(torch.randint(2, 7, (1,), generator=g)) for _ in range(cfg.requests * 3 // 4)]
    lengths += [int(torch.randint(16, 29, (1,), generator=g)) for _ in range(cfg.requests // 4)]
    order = torch.randperm(cfg.requests, generator=g).tolist()
    return [Request(i, torch.randint(0, cfg.vocab, (int(torch.randint(3, 9, (1,), generator=g)),),
                                     generator=g).tolist(), lengths[o])
            for i, o in enumerate(order)]


def body(lab: kit.Lab) -> None:
    cfg = Config(requests=lab.pick(16, 32))
    g = torch.Generator().manual_seed(lab.seed)
    model = TinyGPT(cfg).eval()

    lab.section("paged KV cache: slots and gather")
    with lab.guard("append_slot runs"):
        table, free = [], list(range(16))
        slots = [append_slot(table, p, free, 4) for p in range(10)]
        lab.check_equal("10 positions, blocks of 4: slots = (table[p // 4], p % 4)", slots,
                        [(table[p // 4] if p // 4 < len(table) else None, p % 4)
                         for p in range(10)], hint="a new block only when length % 4 == 0")
        lab.check_equal("3 distinct blocks taken out of the free list",
                        (len(table), len(set(table)), sorted(free + table)),
                        (3, 3, list(range(16))), hint="remove the block you take: pop()")
    with lab.guard("gather_kv runs"):
        pool = torch.randn(8, 4, 2, 3, generator=g, dtype=torch.float64)
        table = [5, 2, 7]
        want = torch.stack([pool[table[p // 4], p % 4] for p in range(10)])
        lab.check_equal("gather through block table [5, 2, 7], 10 positions = contiguous",
                        bool(torch.equal(gather_kv(pool, table, 10), want)), True,
                        hint="index the pool by the block table, flatten, keep `length` rows")

    lab.section("continuous batching vs static batching (same engine, same requests)")
    reqs = workload(cfg, g)
    oracle = {r.rid: [] for r in reqs}
    with torch.no_grad():
        for r in reqs:  # each request alone: full recompute, no cache, no batching
            seq = list(r.prompt)
            for _ in range(r.max_new):
                oracle[r.rid].append(int(model.full(seq)[-1].argmax()))
                seq.append(oracle[r.rid][-1])
    need = sum(len(r.prompt) + r.max_new for r in reqs)  # blocks enough even for 1 per token
    stats, engines = {}, {}
    with lab.guard("continuous_batching runs"):
        for name, fn in (("static", static_batching), ("continuous", continuous_batching)):
            for r in reqs:
                r.output = []
            eng = engines[name] = Engine(model, need, cfg.max_batch)
            out = fn(eng, reqs, cfg.max_batch)
            wasted = eng.steps * cfg.max_batch - eng.busy
            stats[name] = [name, eng.steps, eng.busy, wasted, eng.busy / max(eng.steps, 1),
                           eng.peak_blocks * cfg.block_size]
            lab.check_equal(f"{name}: every output = the request generated alone", out, oracle,
                            hint="append one token per request per step; stop at max_new")
        eng = engines["continuous"]
        lab.check_equal("paged gather = contiguous cache at every step (max |diff|)",
                        max(e.gather_err for e in engines.values()), 0.0)
        lab.check_equal("no slot ever held two live tokens",
                        sum(e.collisions for e in engines.values()), 0)
        lab.check_equal("all KV blocks back in the pool at the end",
                        [len(e.free) for e in engines.values()], [need] * 2,
                        hint="release every finished request")
        lab.check_equal("batch never over max_batch, never a finished request", eng.violations,
                        [], hint="admit while len(running) < max_batch; drop finished at once")
        lab.check_equal("requests admitted in arrival order", eng.admitted,
                        [r.rid for r in reqs], hint="a FIFO queue: popleft")
        lengths = [r.max_new for r in reqs]
        lab.check_equal("model steps = first-come-first-served list scheduling", eng.steps,
                        fcfs_steps(lengths, cfg.max_batch),
                        hint="fill a freed slot before the very next step")
        lab.check_le("continuous steps / static steps", eng.steps / engines["static"].steps,
                     0.9)
        lab.table("batching", ["scheduler", "model steps", "tokens", "wasted slots",
                               "tokens/step", "peak cached slots"], list(stats.values()),
                  title=f"{cfg.requests} requests, batch {cfg.max_batch}, blocks of "
                        f"{cfg.block_size} (contiguous reservation: "
                        f"{cfg.max_batch * max(len(r.prompt) + r.max_new for r in reqs)})")
    plot(lab, cfg, engines, stats)


def plot(lab: kit.Lab, cfg: Config, engines: dict, stats: dict) -> None:
    fig, axes = plt.subplots(2, 1, figsize=(9, 4.2), sharex=True)
    for ax, (name, eng) in zip(axes, engines.items(), strict=False):
        if name not in stats:
            continue
        lane: dict[int, int] = {}
        for t, batch in enumerate(eng.history):
            used = {lane[rid] for rid in batch if rid in lane}
            for rid in batch:
                if rid not in lane:
                    lane[rid] = min(set(range(cfg.max_batch + 4)) - used)
                    used.add(lane[rid])
                ax.barh(lane[rid], 1, left=t, color=plt.cm.tab20(rid % 20), edgecolor="w")
        ax.set(ylabel="batch slot", yticks=range(cfg.max_batch),
               title=f"{name}: {eng.steps} model steps, {stats[name][3]} wasted slots")
    axes[-1].set_xlabel("model step (colour = request)")
    lab.savefig(fig, "continuous_batching.png")
    if len(stats) == 2:
        s, c = stats["static"], stats["continuous"]
        lab.conclude(f"Your scheduler served {cfg.requests} mixed-length requests in {c[1]} "
                     f"model steps against static batching's {s[1]} ({c[4]:.2f} vs {s[4]:.2f} "
                     f"tokens per step, {c[3]} vs {s[3]} wasted slots), with every output equal "
                     f"to the request run alone and your paged cache equal to a contiguous one.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("continuous-batching-paged-kv", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
