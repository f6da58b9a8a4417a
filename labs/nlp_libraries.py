"""spaCy, NLTK and Gensim side by side: configure each, and predict where they disagree.

Three classic NLP libraries cover linguistic processing and semantic analysis:

- spaCy: industrial pipelines (``nlp(text)`` gives a Doc of Tokens with ``.lemma_``).
  ``spacy.blank("en")`` has the rule-based tokenizer only. A ``lemmatizer`` must be added
  with ``nlp.add_pipe`` and set up with ``nlp.initialize()``; its default "rule" mode needs
  part-of-speech tags (from a trained tagger you would download), while "lookup" mode maps
  word forms to lemmas from the tables of the spacy-lookups-data package, offline.
- NLTK: teaching and research toolkit: ``TreebankWordTokenizer`` (Penn Treebank rules:
  splits n't and 's, turns " into `` and '', and splits a period only at the end of the
  string, because it expects one sentence) and ``PorterStemmer`` (strips suffixes, so it
  never maps went -> go; only a lemmatizer does).
- Gensim: vector spaces: ``Dictionary`` (token -> id, ``doc2bow``), ``filter_extremes``
  (mind its defaults: ``no_above=0.5`` also drops tokens in more than half of the
  documents, and ``keep_n=100000``), ``TfidfModel`` (tf * log2(N / df), L2-normalised) and
  ``MatrixSimilarity`` (a cosine-similarity index, float32).

You write the configuration of spaCy and Gensim and a prediction of where spaCy's
tokenizer and NLTK's Treebank tokenizer disagree; everything is graded against what the
libraries really output, offline (no model or corpus downloads).

$ python labs/nlp_libraries.py --quick
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import spacy
from gensim.corpora import Dictionary
from gensim.models import TfidfModel
from gensim.similarities import MatrixSimilarity
from gensim.utils import simple_preprocess
from nltk.stem import PorterStemmer
from nltk.tokenize import TreebankWordTokenizer

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("build_spacy", "build_gensim", "tokenizers_disagree")

# sentences to tokenize with both spaCy and NLTK's Treebank tokenizer
SENTENCES = ["I think a model is only as good as its data.",
             "They didn't stop training, so the loss went down.",
             "We can't ship it; the tests fail on a GPU.",
             "She's reading a book about neural networks!",
             "Is it faster than the old version?",
             "Dr. Lee trained the model.",
             "Mr. Smith paid $3.50 for the data.",
             "It costs 5 dollars (roughly).",
             "Wait... what?",
             "A state-of-the-art model. It is big.",
             "We used a two-layer network",
             "The loss fell. The accuracy rose.",
             "It works. Does it scale?",
             'He said "stop" twice.',
             "The x-ray showed nothing.",
             'Call it "attention" and move on.']
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
    min_df: int = 2  # a token is kept when it occurs in at least this many documents
    sim_tol: float = 1e-5  # max abs error, cosine similarities (Gensim's index is float32)


def build_spacy():
    """A spaCy English pipeline that needs no download: ``spacy.blank("en")`` plus a
    ``lemmatizer`` in "lookup" mode (tables from spacy-lookups-data), initialised, so that
    ``nlp("mice")[0].lemma_ == "mouse"``. Returns the ``nlp`` object."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def build_gensim(texts: list[list[str]]):
    """Gensim's vector space over ``texts`` (one token list per document): returns
    ``(dictionary, tfidf, index)``. The Dictionary keeps exactly the tokens that occur in at
    least 2 documents, however many documents that is (no other filtering); ``tfidf`` is a
    TfidfModel with its default weighting, fitted on the bag-of-words corpus; ``index`` is a
    MatrixSimilarity of the TF-IDF vectors of the documents, so that
    ``index[tfidf[dictionary.doc2bow(tokens)]]`` is a document's cosine similarity to each."""
    dictionary = Dictionary(texts)
    dictionary.filter_extremes(no_below=2, no_above=1.0, keep_n=None)
    bow = [dictionary.doc2bow(t) for t in texts]
    tfidf = TfidfModel(bow)
    index = MatrixSimilarity(tfidf[bow], num_features=len(dictionary))
    return dictionary, tfidf, index


def tokenizers_disagree(sentence: str) -> bool:
    """Predict, without running them, whether spaCy's blank English tokenizer and NLTK's
    TreebankWordTokenizer give different token lists for ``sentence``. They disagree when
    it has (a) a hyphen between two letters (spaCy splits it off, Treebank keeps the word
    whole), (b) a double quote (Treebank rewrites it as `` or ''), or (c) a word of letters
    ending in a period followed by more text (Treebank splits only the final period),
    except the abbreviations Mr., Mrs., Ms. and Dr., which both keep whole. Otherwise
    they agree (contractions, $3.50, brackets and ... are split alike)."""
    hyphen = re.search(r"[A-Za-z]-[A-Za-z]", sentence) is not None
    quote = '"' in sentence
    inner = [m for m in re.findall(r"\b([A-Za-z]+)\.\s+\S", sentence)
             if m not in {"Mr", "Mrs", "Ms", "Dr"}]
    return hyphen or quote or bool(inner)


def reference_similarities(texts: list[list[str]], min_df: int) -> tuple[list[str], np.ndarray]:
    """The lab's own numpy oracle: kept tokens, and cosine similarities of the documents'
    tf * log2(N / df) vectors over those tokens."""
    df: dict[str, int] = {}
    for t in texts:
        for w in set(t):
            df[w] = df.get(w, 0) + 1
    vocab = sorted(w for w, c in df.items() if c >= min_df)
    col = {w: i for i, w in enumerate(vocab)}
    m = np.zeros((len(texts), len(vocab)))
    for i, t in enumerate(texts):
        for w in t:
            if w in col:
                m[i, col[w]] += 1
    m *= np.log2(len(texts) / np.array([df[w] for w in vocab]))
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-300)
    return vocab, m @ m.T


def body(lab: kit.Lab) -> None:
    cfg = Config()
    treebank, stemmer = TreebankWordTokenizer(), PorterStemmer()

    lab.section("spaCy: your pipeline's lemmas vs NLTK's Porter stems")
    nlp = None
    with lab.guard("spaCy lemmas of irregular forms"):
        nlp = build_spacy()
        lemmas = {w: nlp(w)[0].lemma_ for w in IRREGULAR}
        lab.check_equal("spaCy lemmas of irregular forms", lemmas, IRREGULAR,
                        hint='lookup mode: add_pipe("lemmatizer", config={"mode": "lookup"})')
        rows = [(w, nlp(w)[0].lemma_) for w in REGULAR]
        same = [stemmer.stem(lem) == stemmer.stem(w) for w, lem in rows]
        for (w, lem), ok in zip(rows, same, strict=True):
            lab.log(f"  {w:10s} lemma {lem!r:10s} stem(word) {stemmer.stem(w):8s} "
                    f"stem(lemma) {stemmer.stem(lem):8s} {'agree' if ok else 'DIFFER'}")
        lab.check_equal("regular inflections: stem(your lemma) = stem(word)", sum(same),
                        len(REGULAR), hint="an empty lemma_ means no lemmatizer ran")
        with lab.shown():
            n_stem = sum(stemmer.stem(w) == stemmer.stem(lem) for w, lem in IRREGULAR.items())
            lab.check_equal("Porter stems never reach an irregular lemma", n_stem, 0,
                            "a suffix-stripper cannot map went -> go")

    lab.section("prediction: where spaCy and NLTK's Treebank tokenizer disagree")
    tokenizer = spacy.blank("en")  # the lab's own tokenizer: your pipeline is graded above
    real = [[t.text for t in tokenizer(s)] != treebank.tokenize(s) for s in SENTENCES]
    rows, wrong = [], []
    with lab.guard("predicted disagreements = real ones"):
        pred = [bool(tokenizers_disagree(s)) for s in SENTENCES]
        wrong = [s for s, p, r in zip(SENTENCES, pred, real, strict=True) if p != r]
        rows = [[s, "differ" if r else "agree", "differ" if p else "agree",
                 "" if p == r else "WRONG"] for s, p, r in zip(SENTENCES, pred, real, strict=True)]
        lab.check_equal("predicted disagreements = real ones (sentences mispredicted)", wrong,
                        [], hint="hyphens, double quotes, a period inside the text (not Mr./Dr.)")
    lab.metric("sentences_that_disagree", sum(real))
    if rows:
        lab.table("tokenizer_disagreements", ["sentence", "real", "your prediction", ""], rows,
                  title="spaCy blank('en') vs NLTK TreebankWordTokenizer")
    for s in SENTENCES[9:11]:
        lab.log(f"  {s!r}\n    spaCy    {[t.text for t in tokenizer(s)]}\n"
                f"    Treebank {treebank.tokenize(s)}")

    lab.section("Gensim: your Dictionary, TF-IDF model and similarity index")
    texts = [simple_preprocess(d) for d in CORPUS]
    vocab, expected = reference_similarities(texts, cfg.min_df)
    lab.metric("kept_tokens", len(vocab))
    sims = None
    with lab.guard("dictionary keeps the tokens in >= 2 documents"):
        dictionary, tfidf, index = build_gensim(texts)
        lab.check_equal("dictionary keeps the tokens in >= 2 documents",
                        sorted(dictionary.token2id), vocab,
                        hint="filter_extremes's no_above defaults to 0.5")
        sims = np.array([index[tfidf[dictionary.doc2bow(t)]] for t in texts], dtype=float)
        lab.check_close("index similarities = tf-idf cosine similarities", sims, expected,
                        rtol=0, atol=cfg.sim_tol, hint="index the TF-IDF vectors, not the counts")
    hits = 0.0
    if sims is not None:
        off = sims.copy()
        np.fill_diagonal(off, -1)
        topic = np.arange(len(CORPUS)) // 3
        hits = float(np.mean(topic[off.argmax(1)] == topic))
        lab.metric("nearest_neighbour_same_topic", hits)
        fig, ax = plt.subplots(figsize=(4.6, 4))
        im = ax.imshow(sims, cmap="viridis", vmin=0, vmax=1)
        ax.set(title="your Gensim index: TF-IDF cosine", xlabel="document", ylabel="document")
        fig.colorbar(im, ax=ax)
        lab.savefig(fig, "tfidf_similarity.png")
    lab.conclude(f"Your spaCy lookup lemmatizer mapped the irregular forms that Porter never "
                 f"reaches, your prediction called {len(SENTENCES) - len(wrong)} of "
                 f"{len(SENTENCES)} spaCy-vs-Treebank tokenizations right ({sum(real)} "
                 f"disagree), and your Gensim index over {len(vocab)} kept tokens put "
                 f"{hits:.0%} of documents next to one of their own topic.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("nlp-libraries", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
