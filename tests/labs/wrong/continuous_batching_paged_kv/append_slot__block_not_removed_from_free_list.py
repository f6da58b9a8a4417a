"""Bug: reads the last free block (free_blocks[-1]) without removing it, so the next sequence
that needs a block gets the same one and overwrites the first one's keys and values."""


def append_slot(block_table, length, free_blocks, block_size):
    if length % block_size == 0:
        block_table.append(free_blocks[-1])
    return block_table[length // block_size], length % block_size
