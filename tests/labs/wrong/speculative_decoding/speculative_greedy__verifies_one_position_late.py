"""Bug: compares proposal i with the target's argmax after proposal i (row len(ctx) + i)
instead of the one that predicts it (row len(ctx) - 1 + i)."""

import torch


def speculative_greedy(target, draft, prompt, n_new, k):
    out, accepted = [], []
    while len(out) < n_new:
        ctx = list(prompt) + out
        props = []
        for _ in range(k):
            props.append(int(draft(torch.tensor(ctx + props))[-1].argmax()))
        probs = target(torch.tensor(ctx + props))
        best = torch.cat([probs[len(ctx):], probs[-1:]]).argmax(-1)
        n = 0
        while n < k and props[n] == int(best[n]):
            n += 1
        accepted.append(n)
        out += props[:n] + [int(best[n])]
    return out[:n_new], accepted
