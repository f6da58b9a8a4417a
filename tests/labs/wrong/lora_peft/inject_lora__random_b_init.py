"""Bug: B initialised at random (small), so the wrapped model no longer starts equal to
the base."""

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
        A = nn.Parameter(torch.empty(r, base.in_features))
        nn.init.kaiming_uniform_(A, a=math.sqrt(5))
        B = nn.Parameter(torch.randn(base.out_features, r) * 0.01)
        s = alpha / math.sqrt(r) if use_rslora else alpha / r
        layer = LoRALinear(base, A, B, s)
        parent, _, attr = name.rpartition(".")
        setattr(model.get_submodule(parent), attr, layer)
        wrapped[name] = layer
    return wrapped
