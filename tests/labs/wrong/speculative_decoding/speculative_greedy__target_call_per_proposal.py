"""Bug: checks each proposal with its own target call, so nothing is saved over plain greedy."""

import torch


def speculative_greedy(target, draft, prompt, n_new, k):
    out, accepted = [], []
    while len(out) < n_new:
        ctx = list(prompt) + out
        props = []
        for _ in range(k):
            props.append(int(draft(torch.tensor(ctx + props))[-1].argmax()))
        n = 0
        while True:
            best = int(target(torch.tensor(ctx + props[:n]))[-1].argmax())
            if n < k and props[n] == best:
                n += 1
                continue
            break
        accepted.append(n)
        out += props[:n] + [best]
    return out[:n_new], accepted
