"""Bug: the softmax normalises over the batch (dim=0), not the classes."""

import torch


def mlp_forward(X, y, params):
    h = torch.tanh(X @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    shifted = logits - logits.max(dim=0, keepdim=True).values
    log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=0, keepdim=True))
    loss = -log_probs[torch.arange(len(y)), y].mean()
    return loss, {"X": X, "y": y, "h": h, "probs": torch.exp(log_probs)}
