"""Bug: accepts with probability min(1, q(x) / p(x)) instead of min(1, p(x) / q(x))."""

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
            if u >= torch.clamp(qs[n][props[n]] / p[n, props[n]], max=1.0):
                break
            n += 1
        last = p[k] if n == k else torch.clamp(p[n] - qs[n], min=0.0)
        accepted.append(n)
        out += props[:n] + [int(torch.multinomial(last / last.sum(), 1, generator=generator))]
    return out[:n_new], accepted
