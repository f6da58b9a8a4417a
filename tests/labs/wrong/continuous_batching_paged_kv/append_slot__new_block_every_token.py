"""Bug: forgets the "is the last block full?" test and takes a new block for every token,
writing at offset length % block_size of it: blocks run out 4x faster and the block table
no longer maps position p to block_table[p // block_size]."""


def append_slot(block_table, length, free_blocks, block_size):
    block_table.append(free_blocks.pop())
    return block_table[-1], length % block_size
