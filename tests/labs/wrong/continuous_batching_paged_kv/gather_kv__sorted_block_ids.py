"""Bug: visits the blocks in sorted physical order instead of the block table's logical order
(right only while blocks happen to be handed out in increasing order)."""

import torch


def gather_kv(pool, block_table, length):
    blocks = pool[torch.tensor(sorted(block_table), dtype=torch.long)]
    return blocks.reshape(-1, *pool.shape[2:])[:length]
