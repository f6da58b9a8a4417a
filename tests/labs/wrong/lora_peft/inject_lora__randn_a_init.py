"""Bug: A drawn from a standard normal instead of nn.Linear's kaiming-uniform init, so
the first updates are sqrt(3 in) times too large."""

import math

import torch
from lora_peft import LoRALinear
from torch import nn


def inject_lora(model, targets, r, alpha, use_rslora=False):
    for p in model.parameters():
        p.requires_grad = False
    found = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)
             and n.split(".")[-1] in targets]
    wrapped = {}
    for name, base in found:
        A = nn.Parameter(torch.randn(r, base.in_features))
        B = nn.Parameter(torch.zeros(base.out_features, r))
        s = alpha / math.sqrt(r) if use_rslora else alpha / r
        layer = LoRALinear(base, A, B, s)
        parent, _, attr = name.rpartition(".")
        setattr(model.get_submodule(parent), attr, layer)
        wrapped[name] = layer
    return wrapped
