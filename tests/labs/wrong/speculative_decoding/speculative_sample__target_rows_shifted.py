"""Bug: judges proposal i with the target's row after it (p[len(ctx) + i]) instead of the row
that predicts it (p[len(ctx) - 1 + i])."""

import torch


def speculative_sample(target, draft, prompt, n_new, k, generator):
    out, accepted = [], []
    while len(out) < n_new:
        ctx = list(prompt) + out
        props, qs = [], []
        for _ in range(k):
            qs.append(draft(torch.tensor(ctx + props))[-1])
            props.append(int(torch.multinomial(qs[-1], 1, generator=generator)))
        full = target(torch.tensor(ctx + props))
        p = torch.cat([full[len(ctx):], full[-1:]])
        n = 0
        while n < k:
            u = torch.rand((), generator=generator, dtype=p.dtype)
            if u >= torch.clamp(p[n, props[n]] / qs[n][props[n]], max=1.0):
                break
            n += 1
        last = p[k] if n == k else torch.clamp(p[n] - qs[n], min=0.0)
        accepted.append(n)
        out += props[:n] + [int(torch.multinomial(last / last.sum(), 1, generator=generator))]
    return out[:n_new], accepted
