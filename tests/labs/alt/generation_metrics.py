"""Another idiom: BLEU statistics gathered into numpy arrays and combined in log space,
ROUGE-L with a two-row dynamic programme, and METEOR's alignment from reversed position
lists (the NLTK rule: last hypothesis word first, last free reference position)."""

from collections import Counter, defaultdict

import numpy as np


def _grams(seq, n):
    return Counter(zip(*(seq[i:] for i in range(n)), strict=False))


def corpus_bleu(hyps, refs, smooth="exp", effective_order=False, max_n=4):
    stats = np.zeros((2, max_n))  # rows: matches, totals
    c_len = r_len = 0
    for hyp, rs in zip(hyps, refs, strict=True):
        c_len += len(hyp)
        r_len += sorted((abs(len(r) - len(hyp)), len(r)) for r in rs)[0][1]
        for n in range(1, max_n + 1):
            h = _grams(hyp, n)
            cap = Counter()
            for r in rs:
                for g, c in _grams(r, n).items():
                    cap[g] = max(cap[g], c)
            stats[0, n - 1] += sum(min(c, cap[g]) for g, c in h.items())
            stats[1, n - 1] += sum(h.values())
    if stats[0].sum() == 0:
        return 0.0
    if c_len == 0:
        bp = 0.0
    else:
        bp = min(1.0, float(np.exp(1.0 - r_len / c_len)))
    if smooth == "add-k":
        stats[:, 1:] += 1
    log_p, k, used = [], 0, 0
    for n in range(max_n):
        match, tot = stats[0, n], stats[1, n]
        if tot == 0:
            break
        used += 1
        if match > 0:
            log_p.append(np.log(100.0 * match / tot))
        elif smooth == "exp":
            k += 1
            log_p.append(np.log(100.0 / (2.0 ** k * tot)))
        elif smooth == "floor":
            log_p.append(np.log(10.0 / tot))
        else:
            log_p.append(-9999999999.0)
    denom = used if effective_order else max_n
    log_p += [-9999999999.0] * (denom - len(log_p))
    return float(bp * np.exp(sum(log_p) / denom))


def rouge(hyp, ref):
    out = {}
    for n in (1, 2):
        h, r = _grams(hyp, n), _grams(ref, n)
        hits = sum(min(c, r[g]) for g, c in h.items())
        p = hits / (sum(h.values()) or 1)
        rc = hits / (sum(r.values()) or 1)
        out[f"rouge{n}"] = (p, rc)
    prev = [0] * (len(ref) + 1)
    for a in hyp:
        cur = [0]
        for j, b in enumerate(ref):
            cur.append(prev[j] + 1 if a == b else max(prev[j + 1], cur[j]))
        prev = cur
    if hyp and ref:
        out["rougeL"] = (prev[-1] / len(hyp), prev[-1] / len(ref))
    else:
        out["rougeL"] = (0.0, 0.0)
    return {k: (p, r, 0.0 if p + r == 0 else 2 * p * r / (p + r)) for k, (p, r) in out.items()}


def meteor(hyp, refs, alpha=0.9, beta=3.0, gamma=0.5):
    scores = [0.0]
    for ref in refs:
        where = defaultdict(list)
        for j in range(len(ref) - 1, -1, -1):
            where[ref[j]].append(j)  # last position first
        pairs = []
        for i in reversed(range(len(hyp))):
            if where[hyp[i]]:
                pairs.append((i, where[hyp[i]].pop(0)))
        if not pairs:
            continue
        pairs.sort()
        m = len(pairs)
        breaks = sum(1 for (i0, j0), (i1, j1) in zip(pairs, pairs[1:], strict=False)
                     if i1 != i0 + 1 or j1 != j0 + 1)
        prec, rec = m / len(hyp), m / len(ref)
        f = prec * rec / (alpha * prec + (1 - alpha) * rec)
        scores.append(f * (1 - gamma * ((breaks + 1) / m) ** beta))
    return max(scores)
