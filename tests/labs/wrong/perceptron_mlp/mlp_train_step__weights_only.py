"""Bug: only the weight matrices are updated; the biases never learn."""

import torch
import torch.nn.functional as F


def mlp_train_step(params, X, y, lr):
    logits = torch.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    loss = F.binary_cross_entropy_with_logits(logits, y)
    loss.backward()
    with torch.no_grad():
        for name in ("W1", "W2"):
            params[name] -= lr * params[name].grad
        for p in params.values():
            p.grad = None
    return loss.item()
