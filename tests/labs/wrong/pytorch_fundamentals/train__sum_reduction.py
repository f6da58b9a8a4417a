"""Bug: sums the per-example losses (reduction="sum"), which scales the step by the batch
size."""

import torch
import torch.nn.functional as F


def train(model, X, y, steps, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y, reduction="sum")
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
