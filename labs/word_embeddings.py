"""Word embeddings: Word2Vec (skip-gram, negative sampling), GloVe and FastText subwords.

SGNS (Mikolov et al. 2013) raises sigma(v_w . u_c) for observed (word, context) pairs and lowers
it for k random negatives; GloVe (Pennington et al. 2014) fits w_i . w~_j + b_i + b~_j to log X_ij
weighted by f(X_ij); FastText (Bojanowski et al. 2017) adds character n-grams, so unseen words
get vectors. Hand-written gradients (vs autograd, float64) train both on a corpus with planted
relations (country -> capital / language, male -> female) that must be recovered, next to
gensim's Word2Vec; hand-written n-grams are checked against gensim's FastText.

$ python labs/word_embeddings.py --quick
"""

from __future__ import annotations

import functools
import zlib
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


def evaluate(emb: np.ndarray, idx: dict[str, int]):
    """Analogy accuracy per relation (3CosAdd: b - a + c nearest to d, a/b/c excluded); shares
    of planted words whose nearest neighbour is the same kind (paris ~ rome) and of countries
    whose closest capital and language are their own (paris ~ france); all pair cosines."""
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    acc = {}
    for name, tab, j in (("capital", COUNTRIES, 0), ("language", COUNTRIES, 1),
                         ("gender", PAIRS, 0)):
        q = np.array([[idx[a], idx[tab[a][j]], idx[c], idx[tab[c][j]]]
                      for a in tab for c in tab if a != c])  # (Q, 4): a, b, c, d
        s = (e[q[:, 1]] - e[q[:, 0]] + e[q[:, 2]]) @ e.T  # (Q, V)
        s[np.arange(len(q))[:, None], q[:, :3]] = -np.inf
        acc[name] = float((s.argmax(1) == q[:, 3]).mean())
    s = e @ e.T  # (V, V)
    cos = s[np.triu_indices(len(s), 1)]
    np.fill_diagonal(s, -np.inf)
    caps, langs = ([v[j] for v in COUNTRIES.values()] for j in (0, 1))
    groups = (list(COUNTRIES), caps, langs, list(PAIRS) + [v[0] for v in PAIRS.values()])
    same = [int(s[idx[w]].argmax()) in {idx[u] for u in ws} for ws in groups for w in ws]
    own = [s[idx[c]][[idx[w] for w in ws]].argmax() == i
           for ws in (caps, langs) for i, c in enumerate(COUNTRIES)]
    return acc, (float(np.mean(same)), float(np.mean(own))), cos


def train_sgns(lab, cfg, flat, sid, rng):
    """Adam (by hand) on the hand-written SGNS gradients over skip-gram pairs, with word2vec's
    frequent-word subsampling and shrunk windows; returns w_in."""
    dev, batch = lab.torch_device, 1024
    freq = np.bincount(flat).astype(np.float64)  # (V,) word counts
    f = freq / freq.sum()
    keep = np.minimum(1.0, (np.sqrt(f / 1e-3) + 1) * 1e-3 / f)  # word2vec's sample=1e-3
    noise = torch.tensor(freq ** 0.75, device=dev)  # unigram^0.75 negative distribution
    params = [(torch.rand(len(freq), cfg.dim, device=dev) - 0.5) / cfg.dim,
              torch.zeros(len(freq), cfg.dim, device=dev)]  # w_in, w_out
    m1, m2 = [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    lr, b1, b2, step = 0.02, 0.9, 0.999, 0  # Adam, written out (torch.optim imports dynamo)
    losses = []
    for _ in range(cfg.epochs):
        kept = rng.random(len(flat)) < keep[flat]
        tok, sd = flat[kept], sid[kept]
        span = rng.integers(1, cfg.window + 1, size=len(tok))  # each center's effective window
        c, x = [], []  # (center, context) ids, o apart in one sentence, both directions
        for o in range(1, cfg.window + 1):
            same = sd[o:] == sd[:-o]
            i, j = np.nonzero(same & (span[:-o] >= o))[0], np.nonzero(same & (span[o:] >= o))[0]
            c += [tok[i], tok[j + o]]
            x += [tok[i + o], tok[j]]
        perm = rng.permutation(sum(map(len, c)))
        c, x = (torch.tensor(np.concatenate(a)[perm], device=dev) for a in (c, x))
        neg = torch.multinomial(noise, len(c) * cfg.negatives, replacement=True)
        neg = neg.view(-1, cfg.negatives)  # (pairs, K)
        for s in range(0, len(c), batch):
            loss, *grads = sgns_grads(*params, c[s:s + batch], x[s:s + batch], neg[s:s + batch])
            step += 1
            for p, g, m, v in zip(params, grads, m1, m2, strict=True):
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                p.sub_(lr * (m / (1 - b1**step)) / ((v / (1 - b2**step)).sqrt() + 1e-8))
            losses.append(loss.detach())  # no host sync per step
    lab.metric("sgns_final_loss", float(np.mean(torch.stack(losses).cpu().numpy()[-20:])))
    return params[0].cpu().numpy()


def train_glove(lab, cfg, flat, sid, V):
    """Full-batch AdaGrad (by hand, as in the GloVe paper) on 1/distance-weighted counts."""
    X = np.zeros((V, V))
    for o in range(1, cfg.window + 1):
        same = sid[o:] == sid[:-o]
        np.add.at(X, (flat[:-o][same], flat[o:][same]), 1.0 / o)
    X = X + X.T  # symmetric window
    r, c = np.nonzero(X)
    dev = lab.torch_device
    rows, cols = torch.tensor(r, device=dev), torch.tensor(c, device=dev)
    x = torch.tensor(X[r, c], dtype=torch.float32, device=dev)
    params = [(torch.rand(V, cfg.dim, device=dev) - 0.5) / cfg.dim for _ in range(2)]
    params += [torch.zeros(V, device=dev), torch.zeros(V, device=dev)]  # w, w~, b, b~
    hist = [torch.zeros_like(p) for p in params]  # AdaGrad's running sum of squared grads
    for _ in range(cfg.glove_steps):
        loss, *grads = glove_grads(*params, rows, cols, x)
        for p, g, h in zip(params, grads, hist, strict=True):
            h.addcmul_(g, g)
            p.sub_(0.05 * g / (h.sqrt() + 1e-10))
    lab.metric("glove_final_loss_per_count", float(loss / len(r)))
    lab.metric("glove_nonzero_counts", len(r))
    return (params[0] + params[1]).cpu().numpy()  # W + W~


@getattr(kit, "cached", functools.cache)  # once per process where the kit has kit.cached
def corpus_and_gensim(seed, sentences, noise, dim, window, negatives, epochs):
    """The generated corpus, the generator's state after it, and gensim's Word2Vec and
    FastText vectors trained on it (lab code: no exercise runs)."""
    from gensim.models import FastText, Word2Vec

    rng = np.random.default_rng(seed)
    sents = generate(rng, sentences, noise)
    kw = dict(vector_size=dim, window=window, negative=negatives, sg=1, min_count=1,
              epochs=2 * epochs, seed=seed, workers=1,
              hashfxn=lambda s: zlib.crc32(s.encode()))  # unlike hash(), the same every run
    w2v = Word2Vec(sents, sample=1e-3, **kw).wv
    return sents, rng.bit_generator.state, w2v, FastText(sents, min_n=3, max_n=5, bucket=20000,
                                                         **kw).wv


def body(lab: kit.Lab) -> None:
    import torch.nn.functional as F
    from gensim.models.fasttext_inner import compute_ngrams, ft_hash_bytes
    from scipy.stats import spearmanr

    cfg = Config(sentences=lab.pick(5000, 20000), epochs=lab.pick(3, 5),
                 glove_steps=lab.pick(300, 1000))
    rng = np.random.default_rng(lab.seed)

    def vs_autograd(tag, fn, p, ids, names, ref_loss):  # hand gradients vs autograd's
        a = [t.clone().requires_grad_() for t in p]
        ref = ref_loss(*a)
        ref_g = torch.autograd.grad(ref, a)
        with lab.guard(f"{tag.lower()}_grads runs"):
            loss, *grads = fn(*p, *ids)
            lab.check_close(f"{tag} loss", loss, ref, rtol=cfg.grad_tol)
            for name, g, r in zip(names, grads, ref_g, strict=True):
                lab.check_close(f"{tag} d/d {name}", g, r, rtol=cfg.grad_tol, atol=1e-14)

    lab.section("hand gradients vs autograd (float64)")
    V, d, B, K, N = 30, 8, 64, 4, 200
    g64 = dict(dtype=torch.float64)
    p = [torch.randn(V, d, **g64), torch.randn(V, d, **g64)]
    cen, ctx = torch.randint(0, V, (B,)), torch.randint(0, V, (B,))
    neg = torch.randint(0, V, (B, K))
    vs_autograd("SGNS", sgns_grads, p, (cen, ctx, neg), ("w_in", "w_out"), lambda w_in, w_out: -(
        F.logsigmoid((w_in[cen] * w_out[ctx]).sum(-1))
        + F.logsigmoid(-torch.einsum("bd,bkd->bk", w_in[cen], w_out[neg])).sum(-1)).mean())
    rows, cols = torch.randint(0, V, (N,)), torch.randint(0, V, (N,))
    x = torch.rand(N, **g64) * 30 + 0.5  # counts on both sides of x_max
    p = [torch.randn(V, d, **g64) * 0.3, torch.randn(V, d, **g64) * 0.3,
         torch.randn(V, **g64), torch.randn(V, **g64)]
    vs_autograd("GloVe", glove_grads, p, (rows, cols, x), ("w", "w_ctx", "b", "b_ctx"),
                lambda w, wc, b, bc: (torch.clamp(x / 10.0, max=1.0) ** 0.75 * (
                    (w[rows] * wc[cols]).sum(-1) + b[rows] + bc[cols] - torch.log(x))**2).sum())

    lab.section("corpus with planted relations")
    sents, state, w2v_wv, kv = corpus_and_gensim(lab.seed, cfg.sentences, cfg.noise, cfg.dim,
                                                 cfg.window, cfg.negatives, cfg.epochs)
    rng.bit_generator.state = state  # as if generate() had just run on it
    vocab = sorted({w for s in sents for w in s})
    idx = {w: i for i, w in enumerate(vocab)}
    flat = np.array([idx[w] for s in sents for w in s])  # (tokens,)
    sid = np.repeat(np.arange(len(sents)), [len(s) for s in sents])  # sentence of each token
    lab.log(f"  {len(sents)} sentences, {len(flat)} tokens, {len(vocab)} types; e.g. "
            f"{' '.join(sents[0])!r}")
    embs = {}
    with lab.guard("SGNS training runs"), lab.timer() as t:
        embs["SGNS"] = train_sgns(lab, cfg, flat, sid, rng)
    lab.metric("sgns_train_s", t.seconds, "s")
    with lab.guard("GloVe training runs"), lab.timer() as t:
        embs["GloVe"] = train_glove(lab, cfg, flat, sid, len(vocab))
    lab.metric("glove_train_s", t.seconds, "s")
    embs["gensim"] = np.array([w2v_wv[w] for w in vocab])

    lab.section("planted analogies and similarities")
    acc, sim, cos = {}, {}, {}
    for name, emb in embs.items():
        rel, sim[name], cos[name] = evaluate(emb, idx)
        lab.log(f"  {name}: analogies " + ", ".join(f"{k} {v:.2f}" for k, v in rel.items())
                + "; same-kind neighbour {:.2f}; own capital/language {:.2f}".format(*sim[name]))
        acc[name] = float(np.mean(list(rel.values())))
        lab.metric(f"analogy_{name}", acc[name])
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
    lab.log(f"  Word2Vec knows {HELD_OUT[0]!r}: {HELD_OUT[0] in w2v_wv}; FastText builds it")
    with lab.guard("char_ngrams runs"):
        words = vocab + HELD_OUT + ["a", "naïve", "été", "rendezvous", "banana", "ananas"]
        bad = [w for w in words if char_ngrams(w, 3, 5) != compute_ngrams(w, 3, 5)]
        first = f"{char_ngrams(bad[0], 3, 5)} vs {compute_ngrams(bad[0], 3, 5)}" if bad else "none"
        lab.check_equal("char_ngrams = gensim compute_ngrams (3..5)", bad, [],
                        f"{len(words)} words; first mismatch: {first}")

        def compose(word, known):  # mean of the word's (own vector and) n-gram vectors
            h = [ft_hash_bytes(g.encode("utf-8")) % kv.bucket for g in char_ngrams(word, 3, 5)]
            own = [kv.vectors_vocab[kv.key_to_index[word]]] if known else []
            return np.mean(np.array(own + [kv.vectors_ngrams[j] for j in h], np.float64), axis=0)

        for ws, known, what in ((HELD_OUT, False, "unseen word = mean of its n-gram vectors"),
                                (vocab, True, "known word = mean of own + n-gram vectors")):
            lab.check_close(f"{what} (= gensim wv[word])", [compose(w, known) for w in ws],
                            [kv[w] for w in ws], rtol=1e-5, atol=1e-6)
    base = list(VERBS)
    eb = np.array([kv[v] / np.linalg.norm(kv[v]) for v in base])  # (verbs, d)
    best = {w: base[int((eb @ kv[w]).argmax())] for w in HELD_OUT}  # closest verb to "-ing"
    for w, b in best.items():
        lab.log(f"  {w} (never seen): closest verb {b!r}; neighbours "
                f"{[n for n, _ in kv.most_similar(w, topn=3)]}")
    with lab.shown():  # gensim's vectors, not yours
        lab.check_ge("gensim FastText: unseen '-ing' forms are closest to their own verb",
                     float(np.mean([b == w[:-3] for w, b in best.items()])), 0.8,
                     "the stem's n-grams carry the meaning")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    words, n = list(COUNTRIES) + [v[0] for v in COUNTRIES.values()], len(COUNTRIES)
    for ax, name in zip(axes, ("SGNS", "GloVe"), strict=True):  # country -> capital offsets
        if name in embs:
            e = embs[name][[idx[w] for w in words]]
            e = e / np.linalg.norm(e, axis=1, keepdims=True)
            e = e - e.mean(0)
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
    if "SGNS" in embs and "GloVe" in embs:
        lab.conclude(f"Your hand-written gradients matched autograd to {cfg.grad_tol:g}; trained "
                     f"on the planted corpus, SGNS solved {acc['SGNS']:.0%} of the analogies "
                     f"(gensim {acc['gensim']:.0%}) and GloVe {acc['GloVe']:.0%}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("word-embeddings", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
