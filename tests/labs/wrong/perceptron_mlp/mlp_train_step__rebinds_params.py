"""Bug: stores new tensors under the same keys instead of updating the parameters in place,
so a model or optimizer holding the old tensors never sees the update."""

import torch
import torch.nn.functional as F


def mlp_train_step(params, X, y, lr):
    logits = torch.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    loss = F.binary_cross_entropy_with_logits(logits, y)
    grads = torch.autograd.grad(loss, list(params.values()))
    for (name, p), g in zip(list(params.items()), grads, strict=True):
        params[name] = (p - lr * g).detach().requires_grad_(True)
    return loss.item()
