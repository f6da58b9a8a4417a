"""Bug: hard-codes the default betas 0.9 and 0.999 and ignores the betas argument."""

import torch


def adam_step(params, grads, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              decoupled=False):
    b1, b2 = betas
    b1, b2 = 0.9, 0.999
    t = state["t"] = state.get("t", 0) + 1
    ms = state.setdefault("m", [torch.zeros_like(p) for p in params])
    vs = state.setdefault("v", [torch.zeros_like(p) for p in params])
    new = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        ms[i] = b1 * ms[i] + (1 - b1) * g
        vs[i] = b2 * vs[i] + (1 - b2) * g * g
        m_hat, v_hat = ms[i] / (1 - b1**t), vs[i] / (1 - b2**t)
        new.append(p - lr * m_hat / (v_hat.sqrt() + eps))
    return new
