"""Another idiom: dropout with a Bernoulli mask (torch.bernoulli of the keep probability), a
d2l-style batch_norm (moving averages written as lerp-like updates, float32-safe arithmetic
on whatever dtype comes in), and early stopping as a counter loop over the history."""

import torch


def dropout(x, p, training):
    if not training:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    mask = torch.bernoulli(torch.full_like(x, 1.0 - p))
    return mask * x / (1.0 - p)


def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if not training:
        X_hat = (x - running_mean) / torch.sqrt(running_var + eps)
        return gamma * X_hat + beta, running_mean, running_var
    mean = x.mean(dim=0)
    var = ((x - mean) ** 2).mean(dim=0)
    X_hat = (x - mean) / torch.sqrt(var + eps)
    m = x.shape[0]
    moving_mean = running_mean + momentum * (mean.detach() - running_mean)
    moving_var = running_var + momentum * (var.detach() * m / (m - 1) - running_var)
    return gamma * X_hat + beta, moving_mean, moving_var


def early_stopping(val_losses, patience):
    best_loss, best_epoch, wait = float("inf"), None, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss:
            best_loss, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
    return best_epoch if wait >= patience else None
