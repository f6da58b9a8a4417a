"""Bug: averages the parameters (equal on every rank before the step) instead of the
gradients, so each rank steps on its own shard's gradient."""

import torch.distributed as dist


def allreduce_mean_grads(model, world):
    for p in model.parameters():
        dist.all_reduce(p.data, op=dist.ReduceOp.SUM)
        p.data /= world
