"""Bug: the reference length is the shortest reference, not the closest one."""

import math
from collections import Counter


def _ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(hyps: list[list[str]], refs: list[list[list[str]]], smooth: str = "exp",
                effective_order: bool = False, max_n: int = 4) -> float:
    correct, total = [0.0] * max_n, [0.0] * max_n
    sys_len = ref_len = 0
    for h, rs in zip(hyps, refs, strict=True):
        sys_len += len(h)
        ref_len += min(len(r) for r in rs)
        for n in range(1, max_n + 1):
            best = Counter()
            for r in rs:
                best |= _ngrams(r, n)  # element-wise max over references
            hc = _ngrams(h, n)
            correct[n - 1] += sum(min(c, best[g]) for g, c in hc.items())
            total[n - 1] += sum(hc.values())
    bp = 1.0 if sys_len >= ref_len else (math.exp(1 - ref_len / sys_len) if sys_len else 0.0)
    if not any(correct):
        return 0.0
    prec, mteval, order = [0.0] * max_n, 1.0, max_n
    for n in range(1, max_n + 1):
        if smooth == "add-k" and n > 1:
            correct[n - 1] += 1
            total[n - 1] += 1
        if total[n - 1] == 0:
            break
        if effective_order:
            order = n
        if correct[n - 1] == 0:
            if smooth == "exp":
                mteval *= 2
                prec[n - 1] = 100.0 / (mteval * total[n - 1])
            elif smooth == "floor":
                prec[n - 1] = 100.0 * 0.1 / total[n - 1]
        else:
            prec[n - 1] = 100.0 * correct[n - 1] / total[n - 1]
    logs = [math.log(p) if p > 0 else -9999999999 for p in prec[:order]]
    return bp * math.exp(sum(logs) / order)
