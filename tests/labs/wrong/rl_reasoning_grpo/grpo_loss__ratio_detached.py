"""Bug: detaches the ratio (as if it were a constant weight): the value is right, but the
surrogate's gradient vanishes and only the KL term trains."""

import torch


def grpo_loss(logp_new, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    ratio = torch.exp(logp_new - logp_old).detach()
    adv = advantages[:, None]
    surrogate = torch.min(ratio * adv, torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * adv)
    q = logp_ref - logp_new
    kl = torch.exp(q) - q - 1
    per_token = -(surrogate - beta * kl)
    return ((per_token * mask).sum(dim=1) / mask.sum(dim=1)).mean()
