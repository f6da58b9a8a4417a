"""Bug: reports accepted + 1 per round, counting the target's own token as an accepted
proposal."""

import torch


def speculative_greedy(target, draft, prompt, n_new, k):
    out, accepted = [], []
    while len(out) < n_new:
        ctx = list(prompt) + out
        props = []
        for _ in range(k):
            props.append(int(draft(torch.tensor(ctx + props))[-1].argmax()))
        best = target(torch.tensor(ctx + props))[len(ctx) - 1:].argmax(-1)
        n = 0
        while n < k and props[n] == int(best[n]):
            n += 1
        accepted.append(n + 1)
        out += props[:n] + [int(best[n])]
    return out[:n_new], accepted
