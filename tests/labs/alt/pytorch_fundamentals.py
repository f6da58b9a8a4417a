"""Another idiom: the expanded ||x||^2 - 2 x.y + ||y||^2 form, amax/unsqueeze and
torch.softmax for the Function, and a d2l-style loop that updates the parameters by hand."""

import torch
from torch import nn


def pairwise_sq_dists(X, Y):
    sq = X.pow(2).sum(1, keepdim=True) - 2 * X @ Y.T + Y.pow(2).sum(1).unsqueeze(0)
    return sq.clamp_min(0)


def logsumexp_forward(ctx, x):
    m = x.amax(dim=-1)
    out = m + (x - m.unsqueeze(-1)).exp().sum(dim=-1).log()
    ctx.save_for_backward(x, out)
    return out


def logsumexp_backward(ctx, grad_out):
    x, _ = ctx.saved_tensors
    return torch.softmax(x, dim=-1) * grad_out.unsqueeze(-1)


def train(model, X, y, steps, lr):
    loss_fn = nn.CrossEntropyLoss()
    params = [p for p in model.parameters() if p.requires_grad]
    history = []
    for _ in range(steps):
        loss = loss_fn(model(X), y)
        history.append(float(loss))
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
    return history
