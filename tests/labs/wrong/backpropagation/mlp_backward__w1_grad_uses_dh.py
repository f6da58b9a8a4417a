"""Bug: the W1 gradient skips the tanh: X.T @ dh instead of X.T @ dpre."""

import torch


def mlp_backward(cache, params):
    X, y, h, probs = cache["X"], cache["y"], cache["h"], cache["probs"]
    n = X.shape[0]
    dlogits = probs.clone()
    dlogits[torch.arange(n), y] -= 1.0
    dlogits /= n
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(dim=0)
    dh = dlogits @ params["W2"].T
    dpre = dh * (1.0 - h**2)
    dW1 = X.T @ dh
    db1 = dpre.sum(dim=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
