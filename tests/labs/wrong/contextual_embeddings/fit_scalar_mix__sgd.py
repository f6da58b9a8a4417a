"""Bug: plain SGD instead of Adam."""

import torch
import torch.nn.functional as F


def _mix(layers, w, gamma):
    return gamma * torch.einsum("l,l...->...", torch.softmax(w, dim=0), layers)


def fit_scalar_mix(layers, labels, steps, lr):
    n_cls = int(labels.max()) + 1
    w = torch.zeros(layers.shape[0], dtype=layers.dtype, requires_grad=True)
    gamma = torch.ones((), dtype=layers.dtype, requires_grad=True)
    W = torch.zeros(layers.shape[-1], n_cls, dtype=layers.dtype, requires_grad=True)
    b = torch.zeros(n_cls, dtype=layers.dtype, requires_grad=True)
    opt = torch.optim.SGD([w, gamma, W, b], lr=lr)
    for _ in range(steps):
        loss = F.cross_entropy(_mix(layers, w, gamma) @ W + b, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach(), gamma.detach(), W.detach(), b.detach()
