"""Bug: returns every slot of the sequence's blocks, including the unused tail of the last
block (stale keys and values from whoever used that block before)."""

import torch


def gather_kv(pool, block_table, length):
    blocks = pool[torch.tensor(block_table, dtype=torch.long)]
    return blocks.reshape(-1, *pool.shape[2:])
