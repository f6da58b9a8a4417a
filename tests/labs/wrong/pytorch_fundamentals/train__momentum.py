"""Bug: SGD with momentum 0.9 (copied from a tutorial) where plain SGD was asked for."""

import torch
import torch.nn.functional as F


def train(model, X, y, steps, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
