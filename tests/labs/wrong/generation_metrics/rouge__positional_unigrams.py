"""Bug: unigram overlap by position (hyp[i] == ref[i]), as if ROUGE-1 cared about order."""

from collections import Counter


def _ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def rouge(hyp: list[str], ref: list[str]) -> dict[str, tuple[float, float, float]]:
    pr = {}  # name: (precision, recall)
    for n in (1, 2):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        overlap = (sum(a == b for a, b in zip(hyp, ref, strict=False)) if n == 1
                   else sum((h & r).values()))
        pr[f"rouge{n}"] = overlap / max(sum(h.values()), 1), overlap / max(sum(r.values()), 1)
    lcs = [[0] * (len(ref) + 1) for _ in range(len(hyp) + 1)]  # (|h|+1, |r|+1) table
    for i, a in enumerate(hyp, 1):
        for j, b in enumerate(ref, 1):
            lcs[i][j] = lcs[i - 1][j - 1] + 1 if a == b else max(lcs[i - 1][j], lcs[i][j - 1])
    lcs_len = lcs[-1][-1]
    pr["rougeL"] = (lcs_len / len(hyp), lcs_len / len(ref)) if hyp and ref else (0.0, 0.0)
    return {k: (p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0) for k, (p, r) in pr.items()}
