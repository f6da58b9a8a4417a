"""Word embeddings: Word2Vec (skip-gram, negative sampling), GloVe and FastText subwords.

A word embedding is a dense vector learned from the contexts a word appears in. Skip-gram
with negative sampling (Mikolov et al. 2013) raises sigma(v_w . u_c) for observed (word,
context) pairs and lowers it for k random "negative" words; GloVe (Pennington et al. 2014)
fits w_i . w~_j + b_i + b~_j to log X_ij on the co-occurrence counts with a weight
f(X_ij); FastText (Bojanowski et al. 2017) represents a word by its character n-grams, so
it can build vectors for words it never saw. This lab writes the SGNS and GloVe gradients by
hand (checked against autograd in float64), trains both on a generated corpus with planted
relations (country -> capital, country -> language, male -> female), checks that the
analogies and similarities are recovered, compares with gensim's Word2Vec, and checks a
hand-written character n-gram function against gensim's FastText, including vectors for
unseen words.

$ python labs/word_embeddings.py --quick
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("sgns_grads", "glove_grads", "char_ngrams")

COUNTRIES = {c: (k, lang) for c, k, lang in map(str.split, (  # country: (capital, language)
    "france paris french", "spain madrid spanish", "italy rome italian", "germany berlin german",
    "japan tokyo japanese", "china beijing chinese", "brazil brasilia portuguese",
    "egypt cairo arabic", "kenya nairobi swahili", "peru lima quechua", "india delhi hindi",
    "russia moscow russian"))}
PAIRS = {m: (f, ctx) for m, f, ctx in map(str.split, (  # male: (female, the pair's own context)
    "king queen throne", "man woman office", "boy girl school", "prince princess castle",
    "father mother family", "son daughter parents", "brother sister siblings",
    "uncle aunt nephew", "husband wife wedding", "actor actress stage"))}
VERBS = {v: (p, o) for v, p, o in map(str.split, (  # verb: (place, object)
    "walk park dog", "call phone friend", "jump pool rope", "cook kitchen dinner",
    "paint studio canvas", "play garden ball", "clean house mop", "climb mountain ladder",
    "sail lake boat", "kick field goal"))}
HELD_OUT = [v + "ing" for v in list(VERBS)[::2]]  # never in the corpus: FastText must build them


@dataclass
class Config:
    sentences: int = 6000  # generated sentences (about 7 tokens each)
    noise: float = 0.1  # chance that a slot takes a random entity (makes counts dense)
    dim: int = 32  # embedding size
    window: int = 5  # context window (tokens each side)
    negatives: int = 5  # negative samples per positive pair
    epochs: int = 3  # SGNS passes over the corpus
    glove_steps: int = 300  # full-batch AdaGrad steps for GloVe
    grad_tol: float = 1e-10  # max relative error vs autograd (float64)


def sgns_grads(w_in, w_out, centers, contexts, negatives):
    """Skip-gram negative-sampling loss and its gradients, by hand (no autograd).

    w_in, w_out: (V, d) input and output embeddings; centers, contexts: (B,) word ids;
    negatives: (B, K) word ids. With v = w_in[centers], u = w_out[contexts] and
    n_k = w_out[negatives[:, k]], the loss is the batch mean of
    -log sigma(v . u) - sum_k log sigma(-v . n_k). Returns (loss, d loss/d w_in,
    d loss/d w_out), the gradients dense (V, d) (rows of repeated ids accumulate).
    """
    v, u, n = w_in[centers], w_out[contexts], w_out[negatives]  # (B,d) (B,d) (B,K,d)
    sp = torch.sigmoid((v * u).sum(-1))  # (B,)
    sn = torch.sigmoid(torch.einsum("bd,bkd->bk", v, n))  # (B, K)
    b = centers.shape[0]
    loss = -(torch.log(sp) + torch.log1p(-sn).sum(-1)).mean()
    gp, gn = (sp - 1) / b, sn / b  # d loss / d score, (B,) and (B, K)
    g_in = torch.zeros_like(w_in).index_add_(0, centers, gp[:, None] * u
                                             + torch.einsum("bk,bkd->bd", gn, n))
    g_out = torch.zeros_like(w_out).index_add_(0, contexts, gp[:, None] * v)
    g_out.index_add_(0, negatives.reshape(-1),
                     (gn[..., None] * v[:, None, :]).reshape(-1, v.shape[1]))
    return loss, g_in, g_out


def glove_grads(w, w_ctx, b, b_ctx, rows, cols, x, x_max: float = 10.0, alpha: float = 0.75):
    """GloVe loss sum_ij f(x_ij) (w_i . w~_j + b_i + b~_j - log x_ij)^2 over the given
    nonzero entries (rows, cols, x), with f(x) = min(1, x / x_max) ** alpha, and its
    gradients by hand. Returns (loss, g_w, g_w_ctx, g_b, g_b_ctx), shaped like the inputs."""
    fx = torch.clamp(x / x_max, max=1.0) ** alpha  # (N,)
    err = (w[rows] * w_ctx[cols]).sum(-1) + b[rows] + b_ctx[cols] - torch.log(x)  # (N,)
    g = 2 * fx * err  # d loss / d err
    g_w = torch.zeros_like(w).index_add_(0, rows, g[:, None] * w_ctx[cols])
    g_w_ctx = torch.zeros_like(w_ctx).index_add_(0, cols, g[:, None] * w[rows])
    g_b = torch.zeros_like(b).index_add_(0, rows, g)
    g_b_ctx = torch.zeros_like(b_ctx).index_add_(0, cols, g)
    return (fx * err * err).sum(), g_w, g_w_ctx, g_b, g_b_ctx


def char_ngrams(word: str, min_n: int = 3, max_n: int = 5) -> list[str]:
    """FastText's character n-grams of ``"<" + word + ">"``: every substring of length
    min_n..max_n, shortest first, left to right within a length (duplicates kept)."""
    w = f"<{word}>"
    return [w[i:i + n] for n in range(min_n, min(len(w), max_n) + 1)
            for i in range(len(w) - n + 1)]


def generate(rng: np.random.Generator, n: int, noise: float) -> list[list[str]]:
    """Template sentences about countries, family roles and activities (planted relations)."""
    cs, ps, vs = list(COUNTRIES), list(PAIRS), list(VERBS)

    def pick(options, true):  # the planted value, or with prob ``noise`` a random one
        return true if rng.random() > noise else options[rng.integers(len(options))]

    out = []
    for _ in range(n):
        kind = rng.integers(3)
        if kind == 0:
            e = cs[rng.integers(len(cs))]
            c, k, lang = pick(cs, e), COUNTRIES[pick(cs, e)][0], COUNTRIES[pick(cs, e)][1]
            t = [f"the capital of {c} is {k}", f"{k} is the largest city of {c}",
                 f"people in {c} speak {lang}", f"in {k} you hear {lang} everywhere",
                 f"{k} is a city in {c}", f"she learned {lang} before moving to {k}",
                 f"the {lang} language is spoken in {c}", f"he flew from {k} to another city"]
        elif kind == 1:
            m, fem = ps[rng.integers(len(ps))], int(rng.integers(2))
            role, ctx = pick(ps, m), PAIRS[pick(ps, m)][1]
            x = PAIRS[role][0] if pick([0, 1], fem) else role
            he, his = ("she", "her") if pick([0, 1], fem) else ("he", "his")
            t = [f"the {x} said that {he} was near the {ctx}",
                 f"{his} {ctx} is where the {x} lives",
                 f"the {x} went to the {ctx} and {he} stayed there",
                 f"everyone knows the {x} of the {ctx}", f"{he} is the {x} and loves the {ctx}"]
        else:
            v = vs[rng.integers(len(vs))]
            forms = [v + s for s in ("", "s", "ed", "ing") if v + s not in HELD_OUT]
            x, (p, o) = forms[rng.integers(len(forms))], VERBS[pick(vs, v)]
            t = [f"they {x} in the {p}", f"we {x} with the {o}", f"i {x} near the {p} with my {o}"]
        out.append(t[rng.integers(len(t))].split())
    return out


def analogy_accuracy(emb: np.ndarray, idx: dict[str, int]) -> dict[str, float]:
    """3CosAdd: b - a + c is nearest (cosine, a/b/c excluded) to d, per relation."""
    cs = list(COUNTRIES)
    rel = {"capital": [(a, COUNTRIES[a][0], c, COUNTRIES[c][0]) for a in cs for c in cs if a != c],
           "language": [(a, COUNTRIES[a][1], c, COUNTRIES[c][1]) for a in cs for c in cs if a != c],
           "gender": [(a, PAIRS[a][0], c, PAIRS[c][0]) for a in PAIRS for c in PAIRS if a != c]}
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    out = {}
    for name, quads in rel.items():
        q = np.array([[idx[w] for w in quad] for quad in quads])  # (Q, 4)
        s = (e[q[:, 1]] - e[q[:, 0]] + e[q[:, 2]]) @ e.T  # (Q, V)
        s[np.arange(len(q))[:, None], q[:, :3]] = -np.inf
        out[name] = float((s.argmax(1) == q[:, 3]).mean())
    return out


GROUPS = (list(COUNTRIES), [v[0] for v in COUNTRIES.values()],
          [v[1] for v in COUNTRIES.values()], list(PAIRS) + [v[0] for v in PAIRS.values()])


def similarity_scores(emb: np.ndarray, idx: dict[str, int]) -> tuple[float, float]:
    """(similarity, relatedness): share of planted words whose nearest neighbour is the same
    kind of word (paris ~ rome), and share of countries whose most similar capital and
    language are their own (paris ~ france)."""
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    s = e @ e.T
    np.fill_diagonal(s, -np.inf)
    same = [int(s[idx[w]].argmax()) in {idx[u] for u in ws} for ws in GROUPS for w in ws]
    own = [s[idx[c]][[idx[v[j]] for v in COUNTRIES.values()]].argmax() == i
           for j in (0, 1) for i, c in enumerate(COUNTRIES)]
    return float(np.mean(same)), float(np.mean(own))


def skipgram_pairs(flat, sid, keep, window, rng):
    """(center, context) ids after frequent-word subsampling, with word2vec's shrunk windows."""
    m = rng.random(len(flat)) < keep[flat]
    tok, sd = flat[m], sid[m]
    span = rng.integers(1, window + 1, size=len(tok))  # each center's effective window
    c, x = [], []
    for o in range(1, window + 1):
        same = sd[o:] == sd[:-o]  # both tokens in one sentence
        i = np.nonzero(same & (span[:-o] >= o))[0]
        j = np.nonzero(same & (span[o:] >= o))[0]
        c += [tok[i], tok[j + o]]
        x += [tok[i + o], tok[j]]
    return np.concatenate(c), np.concatenate(x)


def train_sgns(lab, cfg, flat, sid, freq, rng):
    """Adam (by hand) on the hand-written SGNS gradients; returns w_in and the losses."""
    dev, V, batch = lab.torch_device, len(freq), 1024
    f = freq / freq.sum()
    keep = np.minimum(1.0, (np.sqrt(f / 1e-3) + 1) * 1e-3 / f)  # word2vec's sample=1e-3
    noise = torch.tensor(freq ** 0.75, device=dev)  # unigram^0.75 negative distribution
    w_in = ((torch.rand(V, cfg.dim, device=dev) - 0.5) / cfg.dim)
    w_out = torch.zeros(V, cfg.dim, device=dev)
    params = [w_in, w_out]
    m1, m2 = [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    lr, b1, b2, step = 0.02, 0.9, 0.999, 0  # Adam, written out (torch.optim imports dynamo)
    losses = []
    for _ in range(cfg.epochs):
        c, x = skipgram_pairs(flat, sid, keep, cfg.window, rng)
        perm = rng.permutation(len(c))
        c, x = torch.tensor(c[perm], device=dev), torch.tensor(x[perm], device=dev)
        neg = torch.multinomial(noise, len(c) * cfg.negatives, replacement=True)
        neg = neg.view(-1, cfg.negatives)  # (pairs, K)
        for s in range(0, len(c), batch):
            loss, *grads = sgns_grads(w_in, w_out, c[s:s + batch], x[s:s + batch],
                                      neg[s:s + batch])
            step += 1
            for p, g, m, v in zip(params, grads, m1, m2, strict=True):
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                p.sub_(lr * (m / (1 - b1**step)) / ((v / (1 - b2**step)).sqrt() + 1e-8))
            losses.append(loss.detach())  # no host sync per step
    return w_in.cpu().numpy(), torch.stack(losses).cpu().numpy()


def train_glove(lab, cfg, flat, sid, V):
    """Full-batch AdaGrad (as in the GloVe paper, by hand) on the 1/distance-weighted counts."""
    X = np.zeros((V, V))
    for o in range(1, cfg.window + 1):
        same = sid[o:] == sid[:-o]
        np.add.at(X, (flat[:-o][same], flat[o:][same]), 1.0 / o)
    X = X + X.T  # symmetric window
    r, c = np.nonzero(X)
    dev = lab.torch_device
    rows, cols = torch.tensor(r, device=dev), torch.tensor(c, device=dev)
    x = torch.tensor(X[r, c], dtype=torch.float32, device=dev)
    w, w_ctx = [(torch.rand(V, cfg.dim, device=dev) - 0.5) / cfg.dim for _ in range(2)]
    b, b_ctx = torch.zeros(V, device=dev), torch.zeros(V, device=dev)
    params = [w, w_ctx, b, b_ctx]
    hist = [torch.zeros_like(p) for p in params]  # AdaGrad's running sum of squared grads
    losses = []
    for _ in range(cfg.glove_steps):
        loss, *grads = glove_grads(w, w_ctx, b, b_ctx, rows, cols, x)
        for p, g, h in zip(params, grads, hist, strict=True):
            h.addcmul_(g, g)
            p.sub_(0.05 * g / (h.sqrt() + 1e-10))
        losses.append(loss.detach() / len(r))
    return (w + w_ctx).cpu().numpy(), torch.stack(losses).cpu().numpy(), len(r)  # W + W~


def body(lab: kit.Lab) -> None:
    import torch.nn.functional as F
    from gensim.models import FastText, Word2Vec
    from gensim.models.fasttext_inner import compute_ngrams, ft_hash_bytes
    from scipy.stats import spearmanr

    cfg = Config(sentences=lab.pick(5000, 20000), epochs=lab.pick(3, 5),
                 glove_steps=lab.pick(300, 1000))
    rng = np.random.default_rng(lab.seed)

    lab.section("hand gradients vs autograd (float64)")
    V, d, B, K = 30, 8, 64, 4
    g64 = dict(dtype=torch.float64)
    w_in, w_out = torch.randn(V, d, **g64), torch.randn(V, d, **g64)
    cen, ctx = torch.randint(0, V, (B,)), torch.randint(0, V, (B,))
    neg = torch.randint(0, V, (B, K))
    a_in, a_out = w_in.clone().requires_grad_(), w_out.clone().requires_grad_()
    ref = -(F.logsigmoid((a_in[cen] * a_out[ctx]).sum(-1))
            + F.logsigmoid(-torch.einsum("bd,bkd->bk", a_in[cen], a_out[neg])).sum(-1)).mean()
    ref_g = torch.autograd.grad(ref, (a_in, a_out))
    with lab.guard("sgns_grads runs"):
        loss, g_in, g_out = sgns_grads(w_in, w_out, cen, ctx, neg)
        lab.check_close("SGNS loss", loss, ref, rtol=cfg.grad_tol)
        lab.check_close("SGNS d/d w_in", g_in, ref_g[0], rtol=cfg.grad_tol, atol=1e-14)
        lab.check_close("SGNS d/d w_out", g_out, ref_g[1], rtol=cfg.grad_tol, atol=1e-14)
    N = 200
    rows, cols = torch.randint(0, V, (N,)), torch.randint(0, V, (N,))
    x = torch.rand(N, **g64) * 30 + 0.5  # counts on both sides of x_max
    p = [torch.randn(V, d, **g64) * 0.3, torch.randn(V, d, **g64) * 0.3,
         torch.randn(V, **g64), torch.randn(V, **g64)]
    a = [t.clone().requires_grad_() for t in p]
    e = (a[0][rows] * a[1][cols]).sum(-1) + a[2][rows] + a[3][cols] - torch.log(x)
    ref = (torch.clamp(x / 10.0, max=1.0) ** 0.75 * e**2).sum()
    ref_g = torch.autograd.grad(ref, a)
    with lab.guard("glove_grads runs"):
        loss, *grads = glove_grads(*p, rows, cols, x)
        lab.check_close("GloVe loss", loss, ref, rtol=cfg.grad_tol)
        for name, g, r in zip(("w", "w_ctx", "b", "b_ctx"), grads, ref_g, strict=True):
            lab.check_close(f"GloVe d/d {name}", g, r, rtol=cfg.grad_tol, atol=1e-14)

    lab.section("corpus with planted relations")
    sents = generate(rng, cfg.sentences, cfg.noise)
    freq_c = Counter(w for s in sents for w in s)
    vocab = sorted(freq_c)
    idx = {w: i for i, w in enumerate(vocab)}
    freq = np.array([freq_c[w] for w in vocab], dtype=np.float64)
    flat = np.array([idx[w] for s in sents for w in s])  # (tokens,)
    sid = np.repeat(np.arange(len(sents)), [len(s) for s in sents])  # sentence of each token
    lab.log(f"  {len(sents)} sentences, {len(flat)} tokens, {len(vocab)} types; e.g. "
            f"{' '.join(sents[0])!r}")
    embs = {}
    with lab.guard("SGNS training runs"), lab.timer() as t:
        embs["SGNS"], sg_loss = train_sgns(lab, cfg, flat, sid, freq, rng)
        lab.metric("sgns_final_loss", float(np.mean(sg_loss[-20:])))
    lab.metric("sgns_train_s", t.seconds, "s")
    with lab.guard("GloVe training runs"), lab.timer() as t:
        embs["GloVe"], gl_loss, nnz = train_glove(lab, cfg, flat, sid, len(vocab))
        lab.metric("glove_final_loss_per_count", float(gl_loss[-1]))
        lab.metric("glove_nonzero_counts", nnz)
    lab.metric("glove_train_s", t.seconds, "s")

    def crc(s: str) -> int:  # deterministic across runs, unlike Python's salted hash()
        return zlib.crc32(s.encode())

    w2v = Word2Vec(sents, vector_size=cfg.dim, window=cfg.window, negative=cfg.negatives, sg=1,
                   min_count=1, sample=1e-3, epochs=2 * cfg.epochs, seed=lab.seed, workers=1,
                   hashfxn=crc)
    embs["gensim"] = np.array([w2v.wv[w] for w in vocab])

    lab.section("planted analogies and similarities")
    acc, sim = {}, {}
    for name, emb in embs.items():
        acc[name] = analogy_accuracy(emb, idx)
        sim[name] = similarity_scores(emb, idx)
        lab.log(f"  {name}: analogies " + ", ".join(f"{k} {v:.2f}" for k, v in acc[name].items())
                + "; same-kind neighbour {:.2f}; own capital/language {:.2f}".format(*sim[name]))
        acc[name] = float(np.mean(list(acc[name].values())))
        lab.metric(f"analogy_{name.split()[0]}", acc[name])
    iu = np.triu_indices(len(vocab), 1)
    cos = {k: (lambda e: (e @ e.T)[iu])(e / np.linalg.norm(e, axis=1, keepdims=True))
           for k, e in embs.items()}  # all pair cosines
    if "SGNS" in embs:
        lab.check_ge("SGNS: mean analogy accuracy", acc["SGNS"], 0.75,
                     "country:capital, country:language, male:female (3CosAdd)")
        lab.check_ge("SGNS: nearest neighbour is the same kind of word", sim["SGNS"][0], 0.85,
                     "similarity: countries, capitals, languages, people")
        lab.check_ge("SGNS agrees with gensim Word2Vec (Spearman of all pair cosines)",
                     spearmanr(cos["SGNS"], cos["gensim"]).statistic, 0.6,
                     "different inits and optimisers, same geometry")
        lab.check_ge("SGNS analogies within 0.1 of gensim's", acc["SGNS"] - acc["gensim"], -0.1)
    if "GloVe" in embs:
        lab.check_ge("GloVe: mean analogy accuracy", acc["GloVe"], 0.6)
        lab.check_ge("GloVe: a country's closest capital/language is its own", sim["GloVe"][1],
                     0.8, "relatedness: W + W~ mixes in context vectors")
        lab.metric("spearman_GloVe_vs_gensim", spearmanr(cos["GloVe"], cos["gensim"]).statistic)

    lab.section("FastText: character n-grams and vectors for unseen words (gensim)")
    ft = FastText(sents, vector_size=cfg.dim, window=cfg.window, negative=cfg.negatives, sg=1,
                  min_count=1, min_n=3, max_n=5, bucket=20000, epochs=2 * cfg.epochs,
                  seed=lab.seed, workers=1, hashfxn=crc)
    kv = ft.wv
    lab.log(f"  Word2Vec knows {HELD_OUT[0]!r}: {HELD_OUT[0] in w2v.wv}; FastText builds it")
    with lab.guard("char_ngrams runs"):
        words = vocab + HELD_OUT + ["a", "naïve", "été", "rendezvous"]
        bad = [w for w in words if char_ngrams(w, 3, 5) != compute_ngrams(w, 3, 5)]
        lab.check_equal("char_ngrams = gensim compute_ngrams (3..5)", bad, [],
                        f"{len(words)} words; first mismatch: "
                        + (f"{char_ngrams(bad[0], 3, 5)} vs {compute_ngrams(bad[0], 3, 5)}"
                           if bad else "none"))

        def compose(word, own=None):  # mean of the word's (own vector and) n-gram vectors
            h = [ft_hash_bytes(g.encode("utf-8")) % kv.bucket for g in char_ngrams(word, 3, 5)]
            parts = ([own] if own is not None else []) + [kv.vectors_ngrams[j] for j in h]
            return np.mean(np.array(parts, dtype=np.float64), axis=0)

        lab.check_close("unseen word = mean of its n-gram vectors (= gensim wv[word])",
                        np.array([compose(w) for w in HELD_OUT]),
                        np.array([kv[w] for w in HELD_OUT]), rtol=1e-5, atol=1e-6)
        lab.check_close("known word = mean of own + n-gram vectors (= gensim wv[word])",
                        np.array([compose(w, kv.vectors_vocab[kv.key_to_index[w]])
                                  for w in vocab]),
                        np.array([kv[w] for w in vocab]), rtol=1e-5, atol=1e-6)
    base = list(VERBS)
    eb = np.array([kv[v] / np.linalg.norm(kv[v]) for v in base])  # (verbs, d)
    hits = []
    for w in HELD_OUT:  # which base verb is the unseen "-ing" form closest to?
        best = base[int((eb @ kv[w]).argmax())]
        hits.append(best == w[:-3])
        lab.log(f"  {w} (never seen): closest verb {best!r}; neighbours "
                f"{[n for n, _ in kv.most_similar(w, topn=3)]}")
    lab.check_ge("unseen '-ing' forms are closest to their own verb", float(np.mean(hits)), 0.8,
                 "the stem's n-grams carry the meaning")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    words = list(COUNTRIES) + [v[0] for v in COUNTRIES.values()]
    n = len(COUNTRIES)
    for ax, name in zip(axes, ("SGNS", "GloVe"), strict=True):  # country -> capital offsets
        if name in embs:
            e = embs[name][[idx[w] for w in words]]
            e = e / np.linalg.norm(e, axis=1, keepdims=True) - (e / np.linalg.norm(
                e, axis=1, keepdims=True)).mean(0)
            xy = e @ np.linalg.svd(e, full_matrices=False)[2][:2].T  # PCA to 2-D, (24, 2)
            for i in range(n):
                ax.annotate("", xy[n + i], xy[i], arrowprops=dict(arrowstyle="->", color="0.6"))
            ax.scatter(*xy[:n].T, c="tab:blue", label="country")
            ax.scatter(*xy[n:].T, c="tab:orange", label="capital")
            for (px, py), w in zip(xy, words, strict=True):
                ax.text(px, py, " " + w, fontsize=7)
            ax.legend(fontsize=8)
        ax.set(title=f"{name} (by hand): country -> capital, PCA", xticks=[], yticks=[])
    lab.savefig(fig, "country_capital_pca.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("word-embeddings", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
