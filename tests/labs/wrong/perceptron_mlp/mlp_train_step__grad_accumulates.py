"""Bug: loss.backward() every step but .grad is never zeroed, so gradients pile up."""

import torch
import torch.nn.functional as F


def mlp_train_step(params, X, y, lr):
    logits = torch.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    loss = F.binary_cross_entropy_with_logits(logits, y)
    loss.backward()
    with torch.no_grad():
        for p in params.values():
            p -= lr * p.grad
    return loss.item()
