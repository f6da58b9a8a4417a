"""A deliberately wrong solution: a sign slip in the expanded distance, a backward that
ignores grad_out, and a training loop without zero_grad (gradients accumulate)."""

import torch
import torch.nn.functional as F


def pairwise_sq_dists(X, Y):
    return (X * X).sum(-1)[:, None] + (Y * Y).sum(-1)[None, :] + 2 * X @ Y.T  # should be -2


def logsumexp_backward(x, out, grad_out):
    return torch.softmax(x, -1)  # forgot to multiply by grad_out


def train(model, X, y, steps, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(X), y)
        loss.backward()  # no zero_grad: .grad keeps growing
        opt.step()
        losses.append(loss.item())
    return losses
