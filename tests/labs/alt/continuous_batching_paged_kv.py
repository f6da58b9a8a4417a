"""Another idiom: divmod slot arithmetic, a gather by index_select over the block table's
physical row numbers, and a vLLM-style scheduler with a fixed array of batch slots that
are refilled in place (so the batch's order is slot order, not admission order)."""

import torch


def append_slot(block_table, length, free_blocks, block_size):
    logical, offset = divmod(length, block_size)
    if logical == len(block_table):  # the sequence's blocks are full: map a new one
        block_table.append(free_blocks.pop(0))
    return block_table[logical], offset


def gather_kv(pool, block_table, length):
    block_size = pool.shape[1]
    rows = torch.tensor([block_table[p // block_size] * block_size + p % block_size
                         for p in range(length)], dtype=torch.long)
    return pool.flatten(0, 1).index_select(0, rows)


def continuous_batching(engine, requests, max_batch):
    queue = list(requests)
    slots = [None] * max_batch
    results = {}
    while queue or any(s is not None for s in slots):
        for i in range(max_batch):
            if slots[i] is None and queue:
                slots[i] = queue.pop(0)
        active = [s for s in slots if s is not None]
        new_tokens = engine.step(active)
        for req, token in zip(active, new_tokens, strict=True):
            req.output.append(token)
        for i, req in enumerate(slots):
            if req is not None and len(req.output) >= req.max_new:
                engine.release(req)
                results[req.rid] = req.output
                slots[i] = None
    return {r.rid: results[r.rid] for r in requests}
