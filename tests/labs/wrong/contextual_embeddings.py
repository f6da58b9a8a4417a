"""A deliberately wrong solution: the word's piece is taken one token early (the [CLS]
shift forgotten), cosine forgets to normalise y, and the scalar mix skips the softmax."""

import torch


def word_vector(hidden, offsets, start, end):
    s, e = offsets[:, 0], offsets[:, 1]
    keep = (e > s) & (s < end) & (e > start)
    idx = torch.nonzero(keep).flatten() - 1  # off by one: forgot the [CLS] token in front
    return hidden[idx].mean(dim=0)


def cosine_matrix(x, y):
    x = x / x.norm(dim=-1, keepdim=True)
    return x @ y.T  # y not normalised


def scalar_mix(layers, w, gamma):
    return gamma * (w.view(-1, *([1] * (layers.dim() - 1))) * layers).sum(dim=0)  # no softmax
