"""spaCy, NLTK and Gensim side by side: tokens, lemmas, stems and TF-IDF.

Three classic NLP libraries cover linguistic processing and semantic analysis:

- spaCy: industrial pipelines (``nlp(text)`` gives a Doc of Tokens with ``.lemma_``,
  ``.is_alpha`` ...). ``spacy.blank("en")`` has the rule-based tokenizer only; a ``lemmatizer``
  in ``lookup`` mode adds lemmas from the tables of the spacy-lookups-data package.
- NLTK: teaching and research toolkit: tokenizers (``TreebankWordTokenizer`` works on one
  sentence; ``wordpunct_tokenize`` splits on every punctuation), stemmers (``PorterStemmer``).
- Gensim: topic modelling and vector spaces: ``simple_preprocess`` (lower-case alphabetic
  tokens of 2-15 letters), ``Dictionary`` (token -> id, bag of words), ``TfidfModel`` and
  ``MatrixSimilarity`` for document similarity.

This lab runs all three offline (no model or corpus downloads) and checks where they should
agree: spaCy's and NLTK's Treebank tokens on single sentences without hyphens; your
normaliser of spaCy tokens against Gensim's simple_preprocess; the Porter stem of spaCy's
lemma against the Porter stem of the word for regular inflections (and that they differ for
irregular ones, which only a lemmatizer resolves); your TF-IDF against Gensim's TfidfModel;
and cosine similarities against Gensim's MatrixSimilarity.

$ python labs/nlp_libraries.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("normalize_tokens", "tfidf_weights")

# single sentences, no hyphens or quotes: spaCy and the Treebank tokenizer should agree
AGREE = ["I think a model is only as good as its data.",
         "They didn't stop training, so the loss went down.",
         "We can't ship it; the tests fail on a GPU.",
         "She's reading a book about neural networks!",
         "Is it faster than the old version?"]
# where they legitimately differ: hyphenated words, several sentences in one string
# no apostrophes: normalised spaCy tokens should equal Gensim's simple_preprocess
NORMALISE = ["I think a model is only as good as its data.", "Is it faster than the old version?",
             "A state-of-the-art model. It is big.",
             "Gradient descent updates 3 weight matrices in a loop, again and again!",
             "The tokenizer splits text into tokens: words, numbers and punctuation."]
DIFFER = ["A state-of-the-art model. It is big.", "Mr. Smith paid $3.50 for e-mail access."]
REGULAR = ["running", "models", "studies", "walked", "cats", "jumps", "played", "tokens"]
IRREGULAR = {"went": "go", "children": "child", "mice": "mouse", "were": "be", "ate": "eat",
             "geese": "goose"}
CORPUS = [  # tiny documents for TF-IDF and similarity (three topics)
    "the chef chopped onions and baked bread in the kitchen",
    "the baker baked bread and cakes every morning",
    "a recipe needs onions garlic and fresh bread",
    "the striker scored a goal in the final match",
    "the team won the match after a late goal",
    "fans watched the match and cheered every goal",
    "the gpu trains the neural network on a large batch",
    "a neural network learns weights by gradient descent",
    "training a large network needs a fast gpu",
]


@dataclass
class Config:
    tol: float = 1e-12  # max error, hand TF-IDF / cosine vs Gensim (float64)
    min_len: int = 2  # simple_preprocess's shortest token
    max_len: int = 15  # simple_preprocess's longest token


def normalize_tokens(tokens: list[str], min_len: int = 2, max_len: int = 15) -> list[str]:
    """What gensim.utils.simple_preprocess keeps, applied to tokens from another tokenizer:
    purely alphabetic tokens, lower-cased, with min_len <= length <= max_len."""
    return [t.lower() for t in tokens if t.isalpha() and min_len <= len(t) <= max_len]


def tfidf_weights(bow_corpus: list[list[tuple[int, int]]]) -> list[dict[int, float]]:
    """Gensim's default TF-IDF: weight = tf * log2(N / df) for each (term id, count) of a
    document, then each document's vector is scaled to unit L2 norm; zero weights (terms in
    every document) are dropped."""
    n = len(bow_corpus)
    df: dict[int, int] = {}
    for doc in bow_corpus:
        for tid, _ in doc:
            df[tid] = df.get(tid, 0) + 1
    out = []
    for doc in bow_corpus:
        w = {tid: tf * math.log2(n / df[tid]) for tid, tf in doc}
        w = {tid: v for tid, v in w.items() if v != 0.0}
        norm = math.sqrt(sum(v * v for v in w.values()))
        out.append({tid: v / norm for tid, v in w.items()} if norm > 0 else {})
    return out


def dense(vecs, n_terms: int) -> np.ndarray:
    """Sparse {id: w} dicts or Gensim [(id, w)] lists -> a dense (n_docs, n_terms) array."""
    m = np.zeros((len(vecs), n_terms))
    for i, v in enumerate(vecs):
        for tid, w in (v.items() if isinstance(v, dict) else v):
            m[i, tid] = w
    return m


def body(lab: kit.Lab) -> None:
    import spacy
    from gensim.corpora import Dictionary
    from gensim.models import TfidfModel
    from gensim.similarities import MatrixSimilarity
    from gensim.utils import simple_preprocess
    from nltk.stem import PorterStemmer
    from nltk.tokenize import TreebankWordTokenizer, wordpunct_tokenize

    cfg = Config()
    nlp = spacy.blank("en")  # tokenizer only, no downloaded model
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})  # tables from spacy-lookups-data
    nlp.initialize()
    treebank, stemmer = TreebankWordTokenizer(), PorterStemmer()

    lab.section("tokens: spaCy vs NLTK Treebank (one sentence, no hyphens)")
    agree = sum([t.text for t in nlp(s)] == treebank.tokenize(s) for s in AGREE)
    lab.check_equal("sentences tokenized identically", agree, len(AGREE),
                    "spaCy and Treebank both split n't, 's and final punctuation")
    for s in DIFFER:
        lab.log(f"  differ by design: {s!r}\n    spaCy    {[t.text for t in nlp(s)]}\n"
                f"    Treebank {treebank.tokenize(s)}\n    wordpunct {wordpunct_tokenize(s)}")

    lab.section("normalised spaCy tokens vs Gensim simple_preprocess")
    with lab.guard("normalize_tokens runs"):
        ok = 0
        for s in NORMALISE:
            mine = normalize_tokens([t.text for t in nlp(s)], cfg.min_len, cfg.max_len)
            ref = simple_preprocess(s, min_len=cfg.min_len, max_len=cfg.max_len)
            ok += mine == ref
            if mine != ref:
                lab.log(f"  mismatch: {mine}\n       vs  {ref}")
        lab.check_equal("sentences where normalised tokens = simple_preprocess", ok,
                        len(NORMALISE))
        s = AGREE[1]  # contractions: spaCy "did" + "n't", Gensim's regex "didn" + "t"
        lab.log(f"  differ by design: spaCy {normalize_tokens([t.text for t in nlp(s)])}"
                f" vs Gensim {simple_preprocess(s)}")

    lab.section("lemmas (spaCy lookup) vs stems (NLTK Porter)")
    rows = [(w, nlp(w)[0].lemma_) for w in REGULAR]
    same = [stemmer.stem(lem) == stemmer.stem(w) for w, lem in rows]
    for (w, lem), s_ok in zip(rows, same, strict=True):
        lab.log(f"  {w:10s} lemma {lem:8s} stem(word) {stemmer.stem(w):8s} "
                f"stem(lemma) {stemmer.stem(lem):8s} {'agree' if s_ok else 'DIFFER'}")
    lab.check_equal("regular inflections: stem(lemma) = stem(word)", sum(same), len(REGULAR))
    lemmas = {w: nlp(w)[0].lemma_ for w in IRREGULAR}
    lab.check_equal("irregular forms: spaCy lemma = dictionary form", lemmas, IRREGULAR)
    n_stem = sum(stemmer.stem(w) == stemmer.stem(lem) for w, lem in IRREGULAR.items())
    lab.check_equal("irregular forms: Porter stems never reach the lemma", n_stem, 0,
                    "a suffix-stripper cannot map went -> go")

    lab.section("TF-IDF: hand formula vs Gensim TfidfModel")
    texts = [simple_preprocess(d) for d in CORPUS]
    vocab = Dictionary(texts)
    bow = [vocab.doc2bow(t) for t in texts]  # [(term id, count)] per document
    gensim_tfidf = TfidfModel(bow)  # defaults: tf * log2(N/df), L2-normalised
    expected = dense([gensim_tfidf[b] for b in bow], len(vocab))
    lab.metric("vocabulary_size", len(vocab))
    sims = None
    with lab.guard("tfidf_weights runs"):
        mine = dense(tfidf_weights(bow), len(vocab))
        lab.check_close("TF-IDF matrix = Gensim", mine, expected, rtol=cfg.tol, atol=cfg.tol)
        sims = mine @ mine.T  # rows are unit vectors: cosine similarities (docs x docs)
        index = MatrixSimilarity([gensim_tfidf[b] for b in bow], num_features=len(vocab))
        lab.check_close("cosine similarities = Gensim MatrixSimilarity", sims,
                        np.array([index[gensim_tfidf[b]] for b in bow]), rtol=1e-5, atol=1e-6,
                        message="Gensim's index is float32")
        np.fill_diagonal(sims, -1)
        topic = np.arange(len(CORPUS)) // 3
        hits = float(np.mean(topic[sims.argmax(1)] == topic))
        lab.metric("nearest_neighbour_same_topic", hits)
        lab.check_ge("nearest document shares the topic", hits, 0.8, "3 topics, chance 0.25")

    if sims is not None:
        fig, ax = plt.subplots(figsize=(4.6, 4))
        np.fill_diagonal(sims, 1)
        im = ax.imshow(sims, cmap="viridis", vmin=0, vmax=1)
        ax.set(title="TF-IDF cosine similarity", xlabel="document", ylabel="document")
        fig.colorbar(im, ax=ax)
        lab.savefig(fig, "tfidf_similarity.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("nlp-libraries", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
