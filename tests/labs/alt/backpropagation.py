"""Another idiom, CS231n's two-layer net: scores, exp_scores / sum, correct_logprobs, dscores,
backprop into hidden with a cache of the pre-activation, and the tanh derivative from it."""

import numpy as np
import torch


def mlp_forward(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1 = X.mm(W1) + b1
    hidden = torch.tanh(z1)
    scores = hidden.mm(W2) + b2
    scores = scores - scores.max(1, keepdim=True)[0]
    exp_scores = torch.exp(scores)
    probs = exp_scores / exp_scores.sum(1, keepdim=True)
    num_examples = X.shape[0]
    correct_logprobs = -torch.log(probs[np.arange(num_examples), y.cpu().numpy()])
    loss = correct_logprobs.sum() / num_examples
    return loss, (X, y, z1, hidden, probs)


def mlp_backward(cache, params):
    X, y, z1, hidden, probs = cache
    num_examples = X.shape[0]
    dscores = probs.clone()
    dscores[np.arange(num_examples), y.cpu().numpy()] -= 1
    dscores = dscores / num_examples
    grads = {"W2": hidden.t().mm(dscores), "b2": dscores.sum(0)}
    dhidden = dscores.mm(params["W2"].t())
    dz1 = dhidden / torch.cosh(z1) ** 2  # d tanh(z) / dz = sech^2(z)
    grads["W1"] = X.t().mm(dz1)
    grads["b1"] = dz1.sum(0)
    return grads
