"""Another idiom: torch.optim's own in-place style (addcdiv_, lerp_, addcmul_) on clones,
with a per-parameter state dict and torch's order of operations (step_size = lr / bc1,
denominator sqrt(v) / sqrt(bc2) + eps)."""

import math

import torch


def sgd_step(params, grads, state, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    out = []
    for i, (p, d_p) in enumerate(zip(params, grads, strict=True)):
        p = p.clone()
        if weight_decay != 0:
            d_p = d_p.add(p, alpha=weight_decay)
        if momentum != 0:
            buf = state.get(i)
            if buf is None:
                buf = state[i] = d_p.detach().clone()
            else:
                buf.mul_(momentum).add_(d_p)
            d_p = d_p.add(buf, alpha=momentum) if nesterov else buf
        p.add_(d_p, alpha=-lr)
        out.append(p)
    return out


def rmsprop_step(params, grads, state, lr, alpha=0.99, eps=1e-8):
    out = []
    for i, (p, grad) in enumerate(zip(params, grads, strict=True)):
        sq = state.setdefault(i, torch.zeros_like(p))
        sq.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        out.append(p.clone().addcdiv_(grad, sq.sqrt().add_(eps), value=-lr))
    return out


def adam_step(params, grads, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              decoupled=False):
    beta1, beta2 = betas
    out = []
    for i, (p, grad) in enumerate(zip(params, grads, strict=True)):
        s = state.setdefault(i, {"step": 0, "exp_avg": torch.zeros_like(p),
                                 "exp_avg_sq": torch.zeros_like(p)})
        s["step"] += 1
        p = p.clone()
        if weight_decay != 0:
            if decoupled:
                p.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(p, alpha=weight_decay)
        s["exp_avg"].lerp_(grad, 1 - beta1)
        s["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad.conj(), value=1 - beta2)
        bias_correction1 = 1 - beta1 ** s["step"]
        bias_correction2 = 1 - beta2 ** s["step"]
        denom = (s["exp_avg_sq"].sqrt() / math.sqrt(bias_correction2)).add_(eps)
        p.addcdiv_(s["exp_avg"], denom, value=-lr / bias_correction1)
        out.append(p)
    return out
