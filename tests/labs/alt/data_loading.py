"""Another idiom: a sharding slice of a range, bucketing with sorted() and torch's seeded
randperm, and padding through torch.nn.utils.rnn.pad_sequence."""

import torch
from torch.nn.utils.rnn import pad_sequence


def worker_shard(n, worker_id, num_workers):
    per, extra = divmod(n, num_workers)  # contiguous blocks; the first `extra` get one more
    start = worker_id * per + min(worker_id, extra)
    return range(start, start + per + (worker_id < extra))


def bucket_batches(lengths, batch_size, seed):
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    g = torch.Generator().manual_seed(seed)
    return [batches[i] for i in torch.randperm(len(batches), generator=g).tolist()]


def pad_collate(seqs):
    return pad_sequence(seqs, batch_first=True), torch.tensor([s.numel() for s in seqs])
