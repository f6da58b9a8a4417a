"""A deliberately wrong solution: every worker yields the whole stream, the bucketer drops
the last partial batch, and the collate function pads on the left."""

import numpy as np
import torch


def worker_shard(n, worker_id, num_workers):
    return range(n)  # bug: no sharding, so each worker repeats every sample


def bucket_batches(lengths, batch_size, seed):
    order = np.argsort(lengths, kind="stable")
    full = len(order) // batch_size * batch_size  # bug: the ragged tail is lost
    batches = [order[i:i + batch_size].tolist() for i in range(0, full, batch_size)]
    perm = np.random.default_rng(seed).permutation(len(batches))
    return [batches[i] for i in perm]


def pad_collate(seqs):
    lengths = torch.tensor([len(s) for s in seqs])
    out = torch.zeros(len(seqs), int(lengths.max()), dtype=seqs[0].dtype)
    for row, s in enumerate(seqs):
        out[row, out.shape[1] - len(s):] = s  # bug: left padding
    return out, lengths
