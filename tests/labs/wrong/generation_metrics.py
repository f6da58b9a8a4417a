"""A deliberately wrong solution: BLEU without clipping and with the shortest reference,
ROUGE's F as the arithmetic mean of P and R, METEOR's weight on precision instead of recall."""

import math
from collections import Counter


def _ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(hyps, refs, smooth="exp", effective_order=False, max_n=4):
    correct, total = [0.0] * max_n, [0.0] * max_n
    sys_len = ref_len = 0
    for h, rs in zip(hyps, refs, strict=True):
        sys_len += len(h)
        ref_len += min(len(r) for r in rs)  # wrong: shortest, not closest
        for n in range(1, max_n + 1):
            seen = set().union(*(_ngrams(r, n) for r in rs))
            hc = _ngrams(h, n)
            correct[n - 1] += sum(c for g, c in hc.items() if g in seen)  # wrong: no clipping
            total[n - 1] += sum(hc.values())
    bp = 1.0 if sys_len >= ref_len else (math.exp(1 - ref_len / sys_len) if sys_len else 0.0)
    if not any(correct):
        return 0.0
    order = max_n
    logs = []
    for n in range(max_n):
        if total[n] == 0:
            break
        if effective_order:
            order = n + 1
        logs.append(math.log(max(correct[n], 0.1) / total[n] * 100))
    return bp * math.exp(sum(logs) / order)


def rouge(hyp, ref):
    out = {}
    for n in (1, 2):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        o = sum((h & r).values())
        p, rc = o / max(sum(h.values()), 1), o / max(sum(r.values()), 1)
        out[f"rouge{n}"] = (p, rc, (p + rc) / 2)  # wrong: arithmetic mean
    lcs = [[0] * (len(ref) + 1) for _ in range(len(hyp) + 1)]
    for i, a in enumerate(hyp, 1):
        for j, b in enumerate(ref, 1):
            lcs[i][j] = lcs[i - 1][j - 1] + 1 if a == b else max(lcs[i - 1][j], lcs[i][j - 1])
    p, rc = lcs[-1][-1] / max(len(hyp), 1), lcs[-1][-1] / max(len(ref), 1)
    out["rougeL"] = (p, rc, (p + rc) / 2)
    return out


def meteor(hyp, refs, alpha=0.9, beta=3.0, gamma=0.5):
    best = 0.0
    for ref in refs:
        free = {}
        for j, w in enumerate(ref):
            free.setdefault(w, []).append(j)
        match = []
        for i in range(len(hyp) - 1, -1, -1):
            if free.get(hyp[i]):
                match.append((i, free[hyp[i]].pop()))
        if not match:
            continue
        match.sort()
        m = len(match)
        chunks = 1 + sum(not (b[0] == a[0] + 1 and b[1] == a[1] + 1)
                         for a, b in zip(match, match[1:], strict=False))
        p, r = m / len(hyp), m / len(ref)
        fmean = p * r / ((1 - alpha) * p + alpha * r)  # wrong: favours precision
        best = max(best, fmean * (1 - gamma * (chunks / m) ** beta))
    return best
