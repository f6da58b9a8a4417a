"""A deliberately wrong solution: dropout forgets to rescale the survivors by 1/(1-p), batch
norm updates the running variance with the biased batch variance, and early stopping treats
an equal validation loss as an improvement (it rolls back to the last minimum, not the first)."""

import torch


def dropout(x, p, training):
    if not training or p == 0.0:
        return x
    return x * (torch.rand_like(x) >= p).to(x.dtype)  # bug: no 1 / (1 - p)


def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
        new_mean = (1 - momentum) * running_mean + momentum * mean.detach()
        new_var = (1 - momentum) * running_var + momentum * var.detach()  # bug: biased
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean, running_var
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta, new_mean, new_var


def early_stopping(val_losses, patience):
    best = max(i for i, v in enumerate(val_losses) if v == min(val_losses))  # bug: last minimum
    return best if len(val_losses) - 1 - best >= patience else None
