"""Another idiom: tensors instead of lists, acceptance decided for all k proposals at once
(cumprod of the per-position tests finds the first rejection), all k uniforms drawn in one
torch.rand call, as in vectorised implementations."""

import torch


def _propose(draft, seq, k, sample=None):
    qs = []
    for _ in range(k):
        q = draft(seq)[-1]
        qs.append(q)
        nxt = q.argmax() if sample is None else torch.multinomial(q, 1, generator=sample)[0]
        seq = torch.cat([seq, nxt.view(1)])
    return seq, torch.stack(qs)


def speculative_greedy(target, draft, prompt, n_new, k):
    seq = torch.tensor(prompt, dtype=torch.long)
    start, accepted = len(prompt), []
    while len(seq) - start < n_new:
        n0 = len(seq)
        seq_d, _ = _propose(draft, seq, k)
        choice = target(seq_d)[n0 - 1:].argmax(dim=-1)  # (k + 1,)
        n = int(torch.cumprod((seq_d[n0:] == choice[:k]).long(), 0).sum())
        accepted.append(n)
        seq = torch.cat([seq_d[:n0 + n], choice[n:n + 1]])
    return seq[start:start + n_new].tolist(), accepted


def speculative_sample(target, draft, prompt, n_new, k, generator):
    seq = torch.tensor(prompt, dtype=torch.long)
    start, accepted = len(prompt), []
    while len(seq) - start < n_new:
        n0 = len(seq)
        seq_d, q = _propose(draft, seq, k, sample=generator)
        x = seq_d[n0:]
        p = target(seq_d)[n0 - 1:]  # (k + 1, V)
        idx = torch.arange(k)
        ratio = (p[idx, x] / q[idx, x]).clamp(max=1.0)
        ok = torch.rand(k, generator=generator, dtype=p.dtype) < ratio
        n = int(torch.cumprod(ok.long(), 0).sum())
        dist = p[k] if n == k else (p[n] - q[n]).clamp(min=0.0)
        extra = torch.multinomial(dist / dist.sum(), 1, generator=generator)
        accepted.append(n)
        seq = torch.cat([seq_d[:n0 + n], extra])
    return seq[start:start + n_new].tolist(), accepted
