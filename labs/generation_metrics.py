"""Generation metrics: BLEU, ROUGE and METEOR, written by hand.

Generated text is scored by its overlap with human references. BLEU (Papineni et al. 2002):
clipped 1..4-gram precisions over a corpus, geometric mean, times a brevity penalty; sentence
BLEU needs smoothing. ROUGE (Lin 2004): recall-oriented n-gram (ROUGE-1/2) and longest common
subsequence (ROUGE-L) overlap as P, R, F1. METEOR (Banerjee & Lavie 2005): unigram alignment,
recall-weighted harmonic mean, a fragmentation penalty. Checked on generated pairs against
sacrebleu (every smoothing, tokenize="none"), rouge-score and NLTK's METEOR (exact-match stage,
WordNet and stemmer stubbed: no NLTK data), and against published values: sacrebleu's README
(48.530827), rouge-score's README and NLTK's METEOR doctest (0.6944).

$ python labs/generation_metrics.py --quick
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("corpus_bleu", "rouge", "meteor")

LEXICON = {  # a tiny grammar: det (adj) noun verb det (adj) noun (prep det place) (adv)
    "det": "the a this".split(), "adj": "big small old young red quiet happy".split(),
    "noun": "cat dog man woman child bird horse teacher doctor farmer".split(),
    "verb": "saw chased found helped followed watched".split(),
    "prep": "near under behind with".split(),
    "place": "house garden river park market school road tree".split(),
    "adv": "quickly slowly today yesterday again".split()}
WORDS = [w for ws in LEXICON.values() for w in ws]


@dataclass
class Config:
    pairs: int = 240  # generated (hypothesis, references) pairs, at least 200
    refs: int = 2  # references per hypothesis
    tol: float = 1e-6  # max absolute difference vs the reference libraries


def ngrams(tokens: list[str], n: int) -> Counter:
    """Counts of the n-grams (tuples) of ``tokens``."""
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(hyps: list[list[str]], refs: list[list[list[str]]], smooth: str = "exp",
                effective_order: bool = False, max_n: int = 4) -> float:
    """Corpus BLEU in [0, 100], as sacrebleu computes it. ``refs[i]`` lists the reference
    token lists of ``hyps[i]``.

    Sum over sentences the clipped n-gram matches (each n-gram counted at most as often as
    in its most generous reference) and the hypothesis n-gram totals, n = 1..max_n; the
    reference length of a sentence is the closest one to the hypothesis (ties: the shorter).
    BP = exp(1 - ref_len / sys_len) if sys_len < ref_len. No match at all gives 0. Orders
    are visited 1..max_n, stopping at the first with no hypothesis n-grams; with
    ``effective_order`` the mean covers only the orders visited. Smoothing of a zero
    precision: "none" leaves 0 (log floored at -9999999999), "floor" uses 0.1 / total,
    "exp" uses 1 / (2^k total) for the k-th zero; "add-k" adds 1 to matches and totals of
    orders n > 1 before anything else.
    """
    correct, total = [0.0] * max_n, [0.0] * max_n
    sys_len = ref_len = 0
    for h, rs in zip(hyps, refs, strict=True):
        sys_len += len(h)
        ref_len += min((abs(len(r) - len(h)), len(r)) for r in rs)[1]
        for n in range(1, max_n + 1):
            best = Counter()
            for r in rs:
                best |= ngrams(r, n)  # element-wise max over references
            hc = ngrams(h, n)
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


def rouge(hyp: list[str], ref: list[str]) -> dict[str, tuple[float, float, float]]:
    """ROUGE-1, ROUGE-2 and ROUGE-L of one hypothesis against one reference, each as
    (precision, recall, F1). ROUGE-N: clipped n-gram overlap / hypothesis n-grams (P) and
    / reference n-grams (R), a zero denominator counting as 1; ROUGE-L: length of the longest
    common subsequence / len(hyp) and / len(ref), 0 if either is empty. F1 = 2PR / (P + R),
    0 when P + R = 0."""
    pr = {}  # name: (precision, recall)
    for n in (1, 2):
        h, r = ngrams(hyp, n), ngrams(ref, n)
        overlap = sum((h & r).values())
        pr[f"rouge{n}"] = overlap / max(sum(h.values()), 1), overlap / max(sum(r.values()), 1)
    lcs = [[0] * (len(ref) + 1) for _ in range(len(hyp) + 1)]  # (|h|+1, |r|+1) table
    for i, a in enumerate(hyp, 1):
        for j, b in enumerate(ref, 1):
            lcs[i][j] = lcs[i - 1][j - 1] + 1 if a == b else max(lcs[i - 1][j], lcs[i][j - 1])
    lcs_len = lcs[-1][-1]
    pr["rougeL"] = (lcs_len / len(hyp), lcs_len / len(ref)) if hyp and ref else (0.0, 0.0)
    return {k: (p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0) for k, (p, r) in pr.items()}


def meteor(hyp: list[str], refs: list[list[str]], alpha: float = 0.9, beta: float = 3.0,
           gamma: float = 0.5) -> float:
    """METEOR with exact unigram matches, best over the references (NLTK's variant).

    Alignment (NLTK's rule): for each hypothesis position from the last to the first, take
    the last still-unused reference position holding the same word. With m matches,
    P = m / len(hyp), R = m / len(ref), Fmean = P R / (alpha P + (1 - alpha) R); sorted by
    hypothesis position, a chunk is a maximal run of matches adjacent in both sentences;
    score = Fmean (1 - gamma (chunks / m) ** beta), and 0 when m = 0.
    """
    best = 0.0
    for ref in refs:
        free: dict[str, list[int]] = {}
        for j, w in enumerate(ref):
            free.setdefault(w, []).append(j)
        match = []  # (hyp position, ref position)
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
        fmean = p * r / (alpha * p + (1 - alpha) * r)
        best = max(best, fmean * (1 - gamma * (chunks / m) ** beta))
    return best


def make_pairs(rng: np.random.Generator, n: int, n_refs: int):
    """References, paraphrases and hypotheses corrupted at a random rate, a few very short."""
    def w(kind):
        return LEXICON[kind][rng.integers(len(LEXICON[kind]))]

    def sentence():
        out = []
        for _ in range(1 + int(rng.random() < 0.4)):  # one or two clauses
            out += ["and"] if out else []
            for slot in ("det", "adj?", "noun", "verb", "det", "adj?", "noun", "prep?", "adv?"):
                if not slot.endswith("?") or rng.random() < 0.5:
                    out.append(w(slot.rstrip("?")))
                    if slot == "prep?":
                        out += [w("det"), w("place")]
        return out

    def corrupt(toks, rate):
        out = []
        for t in toks:
            u = rng.random()  # [0, rate/4): substitute, [rate/4, rate/2): drop
            if u < rate / 4:
                out.append(WORDS[rng.integers(len(WORDS))])
            elif u >= rate / 2:
                out += [t, t] if u < 3 * rate / 4 else [t]  # duplicate or keep
        for _ in range(int(rate * len(out) / 4) if len(out) > 1 else 0):  # local swaps
            i = rng.integers(len(out) - 1)
            out[i], out[i + 1] = out[i + 1], out[i]
        return out

    hyps, refs, rates = [], [], []
    for k in range(n):
        base = sentence()
        refs.append([base] + [corrupt(base, 0.3) or base for _ in range(n_refs - 1)])
        rates.append(float(rng.uniform(0, 1)))
        h = corrupt(base, rates[-1])
        hyps.append(h[: 1 + k % 3] if k % 40 == 0 else h)  # 1-3 tokens: BP, empty orders
    return hyps, refs, np.array(rates)


def body(lab: kit.Lab) -> None:
    import sacrebleu
    from nltk.translate.meteor_score import meteor_score
    from rouge_score import rouge_scorer
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
    from scipy.stats import spearmanr

    cfg = Config(pairs=lab.pick(240, 1000))
    rng = np.random.default_rng(lab.seed)
    hyps, refs, rates = make_pairs(rng, cfg.pairs, cfg.refs)
    pairs = list(zip(hyps, refs, strict=True))
    hyp_s = [" ".join(h) for h in hyps]
    ref_streams = [[" ".join(rs[k]) for rs in refs] for k in range(cfg.refs)]  # sacrebleu layout
    ex = int(np.argmin(np.abs(rates - 0.4)))
    lab.log(f"  {len(hyps)} pairs, {cfg.refs} references each; e.g. (corruption {rates[ex]:.2f})"
            f"\n  hyp {hyp_s[ex]!r}\n  ref {ref_streams[0][ex]!r}\n  ref {ref_streams[1][ex]!r}")
    nltk_meteor = dict(wordnet=SimpleNamespace(synsets=lambda word: []),  # no synonyms, no data
                       stemmer=SimpleNamespace(stem=lambda word: word))

    lab.section("published values")
    sys_out = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
    readme_refs = [["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
                   ["The dog had bit the man.", "No one was surprised.",
                    "The man had bitten the dog."]]
    lab.check_close("sacrebleu README example (sacrebleu itself)",
                    sacrebleu.corpus_bleu(sys_out, readme_refs).score, 48.530827, atol=1e-6,
                    graded=False)
    tok = Tokenizer13a()  # the default tokenization of that example; BLEU itself is ours
    with lab.guard("corpus_bleu runs on the README example"):
        lab.check_close("corpus BLEU of the README example = 48.530827",
                        corpus_bleu([tok(s).split() for s in sys_out],
                                    [[tok(r[i]).split() for r in readme_refs]
                                     for i in range(len(sys_out))]), 48.530827, atol=1e-6)
    with lab.guard("rouge runs on the rouge-score README example"):
        got = rouge("the quick brown dog jumps on the log".split(),
                    "the quick brown fox jumps over the lazy dog".split())
        lab.check_close("rouge-score README example: ROUGE-1 and ROUGE-L (P, R, F)",
                        [got["rouge1"], got["rougeL"]],
                        [[0.75, 6 / 9, 0.7058823529411765], [0.625, 5 / 9, 0.5882352941176471]],
                        atol=1e-12)
    with lab.guard("meteor runs on NLTK's doctest"):
        h1 = ("It is a guide to action which ensures that the military always obeys the "
              "commands of the party").lower().split()
        r1 = ("It is a guide to action that ensures that the military will forever heed "
              "Party commands").lower().split()
        lab.check_close("NLTK METEOR doctest = 0.6944", round(meteor(h1, [r1]), 4), 0.6944,
                        atol=1e-12)

    lab.section(f"BLEU vs sacrebleu (tokenize='none', {len(hyps)} pairs, atol {cfg.tol:g})")
    with lab.guard("corpus_bleu runs"):
        for smooth in ("none", "floor", "add-k", "exp"):
            lab.check_close(f"corpus BLEU, smooth={smooth}", corpus_bleu(hyps, refs, smooth),
                            sacrebleu.corpus_bleu(hyp_s, ref_streams, smooth_method=smooth,
                                                  tokenize="none").score, rtol=1e-12, atol=cfg.tol)
        for smooth in ("exp", "floor", "add-k", "none"):
            mine = [corpus_bleu([h], [rs], smooth, effective_order=True) for h, rs in pairs]
            theirs = [sacrebleu.sentence_bleu(h, [r[i] for r in ref_streams],
                                              smooth_method=smooth, tokenize="none").score
                      for i, h in enumerate(hyp_s)]
            lab.check_close(f"sentence BLEU (effective order), smooth={smooth}", mine, theirs,
                            rtol=1e-12, atol=cfg.tol)

    lab.section("ROUGE vs rouge-score")
    keys = ("rouge1", "rouge2", "rougeL")
    scorer = rouge_scorer.RougeScorer(list(keys))  # .score(target, prediction): (P, R, F) each
    with lab.guard("rouge runs"):
        theirs = np.array([[tuple(scorer.score(r, h)[k]) for k in keys]
                           for h, r in zip(hyp_s, ref_streams[0], strict=True)])  # (pairs, 3, 3)
        mine = np.array([[rouge(h, rs[0])[k] for k in keys] for h, rs in pairs])  # (pairs, 3, 3)
        for j, k in enumerate(("ROUGE-1", "ROUGE-2", "ROUGE-L")):
            lab.check_close(f"{k} precision, recall, F1", mine[:, j], theirs[:, j],
                            rtol=1e-12, atol=cfg.tol)
        perm = list(rng.permutation(refs[0][0]))
        lab.check_close("ROUGE-1 F1 of a shuffled reference is 1 (order-blind)",
                        rouge(perm, refs[0][0])["rouge1"][2], 1.0, atol=1e-12,
                        hint="ROUGE-N counts n-grams, wherever they stand")

    lab.section("METEOR vs NLTK (exact-match stage)")
    with lab.guard("meteor runs"):
        for k, name in ((cfg.refs, f"best of {cfg.refs} references"), (1, "single reference")):
            lab.check_close(f"METEOR, {name}", [meteor(h, rs[:k]) for h, rs in pairs],
                            [meteor_score(rs[:k], h, **nltk_meteor) for h, rs in pairs],
                            rtol=1e-12, atol=cfg.tol)

    lab.section("every metric falls as the hypotheses get noisier")
    with lab.guard("metric trends"):
        scores = {"sentence BLEU / 100": [corpus_bleu([h], [rs], effective_order=True) / 100
                                          for h, rs in pairs],
                  "ROUGE-L F1": [rouge(h, rs[0])["rougeL"][2] for h, rs in pairs],
                  "METEOR": [meteor(h, rs) for h, rs in pairs]}
        fig, ax = plt.subplots(figsize=(6, 3.6))
        rhos = {}
        for (name, s), mk in zip(scores.items(), "o^s", strict=True):
            rhos[name] = spearmanr(rates, s).statistic
            ax.scatter(rates, s, s=10, marker=mk, alpha=0.6,
                       label=f"{name} (rho {rhos[name]:.2f})")
        ax.set(xlabel="corruption rate of the hypothesis", ylabel="score",
               title="sentence-level scores vs corruption")
        ax.legend(fontsize=8)
        lab.savefig(fig, "metrics_vs_noise.png")
        lab.table("metrics_vs_noise", ["metric", "Spearman rho with corruption", "mean score"],
                  [[k, rhos[k], float(np.mean(v))] for k, v in scores.items()],
                  title=f"{len(pairs)} generated pairs: every score falls as noise grows")
        lab.conclude(f"Your BLEU, ROUGE and METEOR matched sacrebleu, rouge-score and NLTK on "
                     f"{len(pairs)} pairs (every smoothing, effective order, best of "
                     f"{cfg.refs} references), and each fell with corruption (Spearman "
                     + ", ".join(f"{k.replace('sentence ', '').split()[0]} {v:.2f}"
                               for k, v in rhos.items()) + ").")


def main(argv: list[str] | None = None) -> int:
    return kit.run("generation-metrics", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
