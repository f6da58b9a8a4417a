"""Bug: the running variance is updated with the biased batch variance."""

import torch


def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        mean = x.mean(dim=0)
        var = x.var(dim=0, unbiased=False)
        new_mean = (1 - momentum) * running_mean + momentum * mean.detach()
        new_var = (1 - momentum) * running_var + momentum * var.detach()
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean, running_var
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return gamma * x_hat + beta, new_mean, new_var
