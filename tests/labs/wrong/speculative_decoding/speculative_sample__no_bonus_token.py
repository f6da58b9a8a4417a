"""Bug: when all k proposals are accepted, no bonus token is drawn from p_k (the samples are
still right, but every perfect round wastes the target call's last distribution)."""

import torch


def speculative_sample(target, draft, prompt, n_new, k, generator):
    out, accepted = [], []
    while len(out) < n_new:
        ctx = list(prompt) + out
        props, qs = [], []
        for _ in range(k):
            qs.append(draft(torch.tensor(ctx + props))[-1])
            props.append(int(torch.multinomial(qs[-1], 1, generator=generator)))
        p = target(torch.tensor(ctx + props))[len(ctx) - 1:]
        n = 0
        while n < k:
            u = torch.rand((), generator=generator, dtype=p.dtype)
            if u >= torch.clamp(p[n, props[n]] / qs[n][props[n]], max=1.0):
                break
            n += 1
        accepted.append(n)
        out += props[:n]
        if n < k:
            res = torch.clamp(p[n] - qs[n], min=0.0)
            out.append(int(torch.multinomial(res / res.sum(), 1, generator=generator)))
    return out[:n_new], accepted
