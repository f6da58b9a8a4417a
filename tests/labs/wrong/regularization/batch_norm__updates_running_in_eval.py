"""Bug: the running statistics are updated from every batch, in eval mode too (eval only
switches which statistics normalise)."""

import torch


def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    b_mean, b_var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    new_mean = (1 - momentum) * running_mean + momentum * b_mean.detach()
    new_var = (1 - momentum) * running_var + momentum * b_var.detach() * n / (n - 1)
    mean, var = (b_mean, b_var) if training else (running_mean, running_var)
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return gamma * x_hat + beta, new_mean, new_var
