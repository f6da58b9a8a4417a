"""Another idiom: freezing by parameter names, one optimizer group per tensor, the schedule
as a clamped piecewise-linear function, and gradient clipping written out by hand."""

import math
import re

import torch.nn.functional as F

_LAYER = re.compile(r"^encoder\.layer\.(\d+)\.")


def freeze_below(model, k):
    for name, p in model.named_parameters():
        m = _LAYER.match(name)
        frozen = name.startswith("embeddings.") or (m is not None and int(m.group(1)) < k)
        p.requires_grad = not frozen


def param_groups(model, head, lr, head_lr, layer_decay, weight_decay):
    n_layers = model.config.num_hidden_layers
    out = []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        m = _LAYER.match(name)
        depth_from_top = n_layers - 1 - int(m.group(1)) if m else n_layers
        decay = 0.0 if name.endswith("bias") or "LayerNorm" in name else weight_decay
        out.append({"params": [p], "lr": lr * math.pow(layer_decay, depth_from_top),
                    "weight_decay": decay})
    for p in head.parameters():
        if p.requires_grad:
            out.append({"params": [p], "lr": head_lr,
                        "weight_decay": weight_decay if p.dim() > 1 else 0.0})
    return out


def warmup_linear(step, warmup, total):
    if warmup > 0 and step < warmup:
        return float(step) / warmup
    remaining = float(total - step)
    span = float(total - warmup) if total > warmup else 1.0
    return min(1.0, max(remaining / span, 0.0)) if step >= warmup else 0.0


def train_step(model, head, batch, labels, optimizer, scheduler, max_norm):
    for group in optimizer.param_groups:
        for p in group["params"]:
            p.grad = None
    hidden = model(**batch)[0]  # last_hidden_state
    loss = F.cross_entropy(head(hidden[:, 0, :]), labels)
    loss.backward()
    grads = [p.grad for g in optimizer.param_groups for p in g["params"] if p.grad is not None]
    total = sum(float(g.detach().pow(2).sum()) for g in grads) ** 0.5
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g.mul_(coef)
    optimizer.step()
    scheduler.step()
    return float(loss)
