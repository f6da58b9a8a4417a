"""Bug: contiguous blocks of n // num_workers, so the last n % num_workers samples are lost."""


def worker_shard(n, worker_id, num_workers):
    per = n // num_workers
    return range(worker_id * per, (worker_id + 1) * per)
