"""Another idiom: einsum for the forward, the merged weight via torch.addmm, and injection
by a recursive walk over named_children, taking A from a fresh nn.Linear(in, r)."""

import math

import torch
from lora_peft import LoRALinear
from torch import nn


def lora_scaling(alpha, r, use_rslora=False):
    denom = r ** 0.5 if use_rslora else r
    return float(alpha) / denom


def lora_forward(x, weight, bias, A, B, scaling):
    out = torch.einsum("...i,oi->...o", x, weight)
    if bias is not None:
        out = out + bias
    low = torch.einsum("...i,ri->...r", x, A)
    return out + scaling * torch.einsum("...r,or->...o", low, B)


def merge_lora(weight, A, B, scaling):
    return torch.addmm(weight.detach(), B.detach(), A.detach(), alpha=scaling)


def inject_lora(model, targets, r, alpha, use_rslora=False):
    model.requires_grad_(False)
    s = lora_scaling(alpha, r, use_rslora)
    wrapped = {}

    def walk(module, prefix):
        for child_name, child in list(module.named_children()):
            full = f"{prefix}{child_name}"
            if isinstance(child, nn.Linear) and child_name in targets:
                A = nn.Parameter(nn.Linear(child.in_features, r, bias=False).weight.data)
                B = nn.Parameter(child.weight.new_zeros(child.out_features, r))
                new = LoRALinear(child, A, B, s)
                setattr(module, child_name, new)
                wrapped[full] = new
            else:
                walk(child, full + ".")

    walk(model, "")
    assert all(math.isfinite(w.scaling) for w in wrapped.values())
    return wrapped
