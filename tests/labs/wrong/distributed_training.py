"""A deliberately wrong solution: shards overlap by one row, the gradients are summed over
the ranks but not divided by the world size, and the split model loses its middle layer."""

import torch.distributed as dist
from torch import nn


def shard_batch(x, rank, world):
    per = x.shape[0] // world
    return x[rank * per:(rank + 1) * per + 1]  # bug: one row too many, shards overlap


def allreduce_mean_grads(model, world):
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)  # bug: a sum, not a mean


def split_model(layers, devices):
    k = len(layers) // 2
    first, second = layers[:k].to(devices[0]), layers[k + 1:].to(devices[1])  # bug: skips k

    class Split(nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second = first, second

        def forward(self, x):
            return self.second(self.first(x.to(devices[0])).to(devices[1]))

    return Split()
