"""Bug: freezes the whole model after wrapping, so the new A and B are frozen too."""

import math

import torch
from lora_peft import LoRALinear
from torch import nn


def inject_lora(model, targets, r, alpha, use_rslora=False):
    found = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)
             and n.split(".")[-1] in targets]
    wrapped = {}
    for name, base in found:
        A = nn.Parameter(torch.empty(r, base.in_features))
        nn.init.kaiming_uniform_(A, a=math.sqrt(5))
        B = nn.Parameter(torch.zeros(base.out_features, r))
        s = alpha / math.sqrt(r) if use_rslora else alpha / r
        layer = LoRALinear(base, A, B, s)
        parent, _, attr = name.rpartition(".")
        setattr(model.get_submodule(parent), attr, layer)
        wrapped[name] = layer
    for p in model.parameters():
        p.requires_grad = False
    return wrapped
