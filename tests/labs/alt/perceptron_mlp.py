"""Another idiom: the perceptron on augmented vectors [x, 1] with a while loop, and a d2l-style
training step (hand-written logistic loss via logsigmoid, loss.backward(), an sgd helper)."""

import numpy as np
import torch
from torch.nn import functional as F


def perceptron_train(X, y, lr=1.0, max_epochs=100):
    Xa = np.hstack([X, np.ones((len(X), 1))])  # fold the bias into the weights
    theta = np.zeros(Xa.shape[1])
    updates, epochs, clean = 0, 0, False
    while not clean and epochs < max_epochs:
        epochs += 1
        clean = True
        for i in range(len(Xa)):
            if y[i] * theta.dot(Xa[i]) <= 0:
                theta += lr * y[i] * Xa[i]
                updates += 1
                clean = False
    return theta[:-1], float(theta[-1]), updates, epochs


def net(X, W1, b1, W2, b2):
    H = torch.tanh(torch.matmul(X, W1) + b1)
    return torch.matmul(H, W2) + b2


def logistic_loss(z, y):
    return -(y * F.logsigmoid(z) + (1 - y) * F.logsigmoid(-z)).mean()


def sgd(params, lr):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()


def mlp_train_step(params, X, y, lr):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    loss = logistic_loss(net(X, W1, b1, W2, b2), y)
    loss.backward()
    sgd([W1, b1, W2, b2], lr)
    return float(loss)
