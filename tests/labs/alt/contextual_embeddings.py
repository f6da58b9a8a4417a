"""Another idiom: pooling by explicit token indices, F.normalize for cosine, and ELMo's
scalar mix as an AllenNLP-style nn.Module trained with module.parameters()."""

import torch
import torch.nn.functional as F
from torch import nn


def word_vector(hidden, offsets, start, end):
    idx = [t for t, (s, e) in enumerate(offsets.tolist()) if e > s and s < end and e > start]
    return hidden.index_select(0, torch.tensor(idx)).mean(0)


def cosine_matrix(x, y):
    return F.normalize(x, dim=1) @ F.normalize(y, dim=1).transpose(0, 1)


def scalar_mix(layers, w, gamma):
    weights = torch.exp(w - w.max()) / torch.exp(w - w.max()).sum()
    out = torch.zeros_like(layers[0])
    for j in range(layers.shape[0]):
        out = out + weights[j] * layers[j]
    return gamma * out


class _MixProbe(nn.Module):
    def __init__(self, n_layers, dim, n_cls, dtype):
        super().__init__()
        self.scalar_parameters = nn.Parameter(torch.zeros(n_layers, dtype=dtype))
        self.gamma = nn.Parameter(torch.tensor(1.0, dtype=dtype))
        self.weight = nn.Parameter(torch.zeros(dim, n_cls, dtype=dtype))
        self.bias = nn.Parameter(torch.zeros(n_cls, dtype=dtype))

    def forward(self, layers):
        mixed = scalar_mix(layers, self.scalar_parameters, self.gamma)
        return torch.addmm(self.bias, mixed, self.weight)


def fit_scalar_mix(layers, labels, steps, lr):
    probe = _MixProbe(layers.shape[0], layers.shape[-1], int(labels.max()) + 1, layers.dtype)
    opt = torch.optim.Adam(probe.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(probe(layers), labels).backward()
        opt.step()
    return tuple(p.detach() for p in (probe.scalar_parameters, probe.gamma, probe.weight,
                                      probe.bias))
