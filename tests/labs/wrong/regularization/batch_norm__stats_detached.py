"""Bug: the batch mean and variance are computed under no_grad: no gradient flows through them."""

import torch


def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        with torch.no_grad():
            mean = x.mean(dim=0)
            var = x.var(dim=0, unbiased=False)
        n = x.shape[0]
        new_mean = (1 - momentum) * running_mean + momentum * mean.detach()
        new_var = (1 - momentum) * running_var + momentum * var.detach() * n / (n - 1)
    else:
        mean, var, new_mean, new_var = running_mean, running_var, running_mean, running_var
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return gamma * x_hat + beta, new_mean, new_var
