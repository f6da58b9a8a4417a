"""Bug: off by one, each shard takes one row too many, so neighbouring shards overlap."""


def shard_batch(x, rank, world):
    per = x.shape[0] // world
    return x[rank * per:(rank + 1) * per + 1]
