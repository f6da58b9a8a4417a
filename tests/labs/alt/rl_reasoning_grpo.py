"""Another idiom: string parsing for the verifier, a loop over groups, and CleanRL's PPO form
(max of the two negated surrogates) with masked per-sequence means via masked_fill."""

import torch

EOS = 12


def verify(completion, a, b):
    text = []
    for tok in completion:
        if tok == EOS:
            answer = "".join(text)
            ok = answer.isdigit() and (answer == "0" or not answer.startswith("0"))
            return 1.0 if ok and int(answer) == a + b else 0.0
        text.append(str(tok) if 0 <= tok <= 9 else "?")
    return 0.0


def group_advantages(rewards, group_size, eps=1e-4):
    out = torch.empty_like(rewards)
    for start in range(0, rewards.numel(), group_size):
        g = rewards[start:start + group_size]
        out[start:start + group_size] = (g - g.mean()) / (torch.std(g, correction=1) + eps)
    return out


def grpo_loss(logp_new, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    log_ratio = logp_new - logp_old
    ratio = log_ratio.exp()
    A = advantages.unsqueeze(1)
    pg_loss1 = -A * ratio
    pg_loss2 = -A * torch.clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps)
    pg_loss = torch.max(pg_loss1, pg_loss2)
    log_r = logp_ref - logp_new
    approx_kl = (log_r.exp() - 1) - log_r
    per_token = (pg_loss + beta * approx_kl).masked_fill(mask == 0, 0.0)
    lengths = mask.sum(-1)
    return (per_token.sum(-1) / lengths).sum() / len(lengths)
