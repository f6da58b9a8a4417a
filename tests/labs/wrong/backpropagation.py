"""A deliberately wrong solution: the tanh derivative is taken as (1 - h) instead of (1 - h^2),
and the bias gradient of the hidden layer is averaged instead of summed."""

import torch


def mlp_forward(X, y, params):
    h = torch.tanh(X @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    loss = -log_probs[torch.arange(len(y)), y].mean()
    return loss, {"X": X, "y": y, "h": h, "probs": torch.exp(log_probs)}


def mlp_backward(cache, params):
    X, y, h, probs = cache["X"], cache["y"], cache["h"], cache["probs"]
    n = X.shape[0]
    dlogits = probs.clone()
    dlogits[torch.arange(n), y] -= 1.0
    dlogits /= n
    dh = dlogits @ params["W2"].T
    dpre = dh * (1.0 - h)  # bug: tanh'(z) is 1 - h**2
    return {"W1": X.T @ dpre, "b1": dpre.mean(dim=0),  # bug: sum over the batch, not mean
            "W2": h.T @ dlogits, "b2": dlogits.sum(dim=0)}
