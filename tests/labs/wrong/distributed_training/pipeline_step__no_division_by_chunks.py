"""Bug: each micro-batch's mean loss is not divided by the number of micro-batches, so loss
and gradients come out chunks times too large."""

import torch
import torch.distributed as dist
from torch import nn


def pipeline_step(stage, x, y, rank, chunks, width):
    xs, ys = torch.chunk(x, chunks), torch.chunk(y, chunks)
    if rank == 0:
        acts = []
        for xi in xs:
            h = stage(xi)
            dist.send(h.detach(), dst=1)
            acts.append(h)
        for h in acts:
            grad = torch.empty_like(h)
            dist.recv(grad, src=1)
            h.backward(grad)
        return None
    inputs, losses = [], []
    for yi in ys:
        h = torch.empty(len(yi), width, dtype=x.dtype, device=x.device)
        dist.recv(h, src=0)
        h.requires_grad_()
        inputs.append(h)
        losses.append(nn.functional.mse_loss(stage(h), yi))
    for h, loss in zip(inputs, losses, strict=True):
        loss.backward()
        dist.send(h.grad, dst=0)
    return float(sum(loss.item() for loss in losses))
