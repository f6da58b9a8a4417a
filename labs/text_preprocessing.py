"""Text preprocessing: normalisation, tokenization, stopwords, stemming and lemmatization.

Before a model sees text, the text is cleaned and cut into units. Normalisation maps
variants of the same string to one form (Unicode NFKC, lowercasing, punctuation removal,
whitespace collapsing) and must be idempotent: normalising twice changes nothing.
Tokenization cuts text into tokens; stopword removal drops frequent function words; a
stemmer chops suffixes by rules (Porter 1980: "ponies" -> "poni"), while a lemmatizer maps
a word to its dictionary form ("mice" -> "mouse"). This lab writes normalisation,
tokenization and stopword removal by hand and checks them against known tables, NLTK's
regex tokenizer and spaCy's stopword flags; it checks NLTK's Porter stemmer against the
published algorithm's outputs and spaCy's lookup lemmatizer against known lemmas, then
measures how much each step shrinks the vocabulary of real news text (the Lee corpus that
ships inside gensim's wheel).

$ python labs/text_preprocessing.py --quick
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("normalize", "tokenize", "remove_stopwords")

APOSTROPHES = "'\u2019"  # deleted, not replaced: "don't" -> "dont", "it's" -> "its"


@dataclass
class Config:
    n_docs: int = 300  # Lee background news documents (gensim test data) to process
    max_codepoint: int = 0x30000  # normalisation must be idempotent on every code point below


def normalize(text: str) -> str:
    """Unicode NFKC, then lowercase; delete apostrophes (' and U+2019), turn every other
    punctuation character (Unicode category P*) into a space; collapse whitespace runs to
    one space and strip the ends. Idempotent: normalize(normalize(t)) == normalize(t)."""
    s = unicodedata.normalize("NFKC", text).lower()  # NFKC first: "ℌ" -> "H" -> "h"
    chars = []
    for ch in s:
        if ch in APOSTROPHES:
            continue
        chars.append(" " if unicodedata.category(ch).startswith("P") else ch)
    return " ".join("".join(chars).split())  # str.split() knows all Unicode whitespace


def tokenize(text: str) -> list[str]:
    """Split into maximal runs of word characters (regex \\w: letters, digits, _) and
    maximal runs of other non-space characters; whitespace separates and is dropped.
    "Don't!" -> ["Don", "'", "t", "!"] (the same rule as NLTK's wordpunct_tokenize)."""
    return re.findall(r"\w+|[^\w\s]+", text)


def remove_stopwords(tokens: list[str], stopwords: set[str]) -> list[str]:
    """Drop the tokens whose lowercase form is in ``stopwords`` (a set of lowercase words);
    keep the others, in order and with their original case."""
    return [t for t in tokens if t.lower() not in stopwords]


# Known answers, written from the definitions (not produced by the code under test).
TOKEN_TABLE = {
    "Don't stop—it's 4:30 p.m.!": ["Don", "'", "t", "stop", "—", "it", "'", "s", "4", ":",
                                   "30", "p", ".", "m", ".!"],
    "Hello,world ... (again)": ["Hello", ",", "world", "...", "(", "again", ")"],
    "naïve café_2  über": ["naïve", "café_2", "über"],
}
NORMALIZE_TABLE = {
    "  Hello,   WORLD!!  It's   fine. ": "hello world its fine",
    "State-of-the-art (SOTA); 99.5% accuracy": "state of the art sota 99 5 accuracy",  # % is Po
    "ℌello ﬁne ＦＵＬＬ Straße": "hello fine full straße",
    "“Quoted” — text’s end…": "quoted texts end",
}
STOPWORD_TABLE = ("The cat sat on THE mat and it was not happy",
                  ["cat", "sat", "mat", "happy"])
# Final stems of the original Porter (1980) algorithm for the paper's example words.
PORTER_TABLE = {
    "caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress", "cats": "cat",
    "feed": "feed", "agreed": "agre", "plastered": "plaster", "motoring": "motor",
    "sing": "sing", "conflated": "conflat", "troubled": "troubl", "sized": "size",
    "hopping": "hop", "tanned": "tan", "falling": "fall", "hissing": "hiss", "fizzed": "fizz",
    "failing": "fail", "filing": "file", "happy": "happi", "sky": "sky",
    "relational": "relat", "conditional": "condit", "rational": "ration",
    "generalization": "gener", "hopefulness": "hope", "goodness": "good", "adjustment": "adjust",
}
LEMMA_TABLE = {
    "mice": "mouse", "feet": "foot", "geese": "goose", "children": "child", "women": "woman",
    "wolves": "wolf", "went": "go", "ate": "eat", "were": "be", "studies": "study",
    "running": "run", "hanging": "hang", "analyses": "analysis", "cheeses": "cheese",
}
PIPELINE = ("The striped BATS were hanging on their feet, and the mice ate the cheeses!",
            ["striped", "bats", "hanging", "feet", "mice", "ate", "cheeses"],  # content words
            ["stripe", "bat", "hang", "feet", "mice", "at", "chees"],  # Porter stems
            ["stripe", "bat", "hang", "foot", "mouse", "eat", "cheese"])  # lookup lemmas


def check_table(lab: kit.Lab, name: str, fn, table: dict) -> bool:
    """One check that ``fn(key) == value`` for every entry; reports only the mismatches."""
    got = {k: fn(k) for k in table}
    bad = [k for k in table if got[k] != table[k]]
    return lab.check(name, not bad, {k: table[k] for k in bad} if bad else f"{len(table)} entries",
                     {k: got[k] for k in bad} if bad else f"{len(table)} equal",
                     message=f"{len(bad)} of {len(table)} entries differ" if bad else "")


def lee_corpus(n: int) -> list[str]:
    """The first ``n`` lines of gensim's Lee background corpus (news text, one doc a line)."""
    spec = importlib.util.find_spec("gensim")  # locate the wheel without importing gensim
    root = Path(spec.submodule_search_locations[0])
    path = root / "test" / "test_data" / "lee_background.cor"
    return path.read_text(encoding="utf-8").splitlines()[:n]


def body(lab: kit.Lab) -> None:
    import spacy
    from nltk.stem.porter import PorterStemmer
    from nltk.tokenize import wordpunct_tokenize
    from spacy.lang.en.stop_words import STOP_WORDS
    from spacy.tokens import Doc

    cfg = Config(n_docs=lab.pick(120, 300), max_codepoint=lab.pick(0x30000, 0x110000))
    docs = lee_corpus(cfg.n_docs)
    lab.log(f"  {len(docs)} Lee corpus documents, {sum(map(len, docs))} characters")
    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup table from spacy-lookups-data (offline)
    stemmer = PorterStemmer(mode=PorterStemmer.ORIGINAL_ALGORITHM)
    stop = {w.lower() for w in STOP_WORDS}

    def lemmas(words: list[str]) -> list[str]:
        return [t.lemma_ for t in lemmatizer(Doc(nlp.vocab, words=words))] if words else []

    lab.section("normalisation: NFKC, lowercase, punctuation, whitespace")
    with lab.guard("normalize runs"):
        check_table(lab, "normalize = known table", normalize, NORMALIZE_TABLE)
        once = [normalize(d) for d in docs]
        lab.check("idempotent on the corpus", all(normalize(n) == n for n in once),
                  "normalize(normalize(d)) == normalize(d)",
                  sum(normalize(n) != n for n in once), message="documents that changed")
        cps = [chr(c) for c in range(cfg.max_codepoint) if not 0xD800 <= c < 0xE000]
        chunks = ["".join(cps[i:i + 64]) for i in range(0, len(cps), 64)]
        bad = [c for c in chunks if normalize(normalize(c)) != normalize(c)]
        lab.check_equal(f"idempotent on every code point < {cfg.max_codepoint:#x} (64 a string)",
                        len(bad), 0, message="strings that changed on a second pass")
        leftover = {ch for n in once for ch in n
                    if unicodedata.category(ch).startswith("P") or ch != ch.lower()}
        lab.check_equal("no punctuation or uppercase left in the corpus", leftover, set())

    lab.section("tokenization: word runs and punctuation runs")
    with lab.guard("tokenize runs"):
        check_table(lab, "tokenize = known table", tokenize, TOKEN_TABLE)
        diff = [i for i, d in enumerate(docs) if tokenize(d) != wordpunct_tokenize(d)]
        lab.check_equal("tokenize = NLTK wordpunct_tokenize on the corpus", diff, [],
                        message="indices of documents that differ")
    spacy_tokens = [t.text for t in nlp.tokenizer("Don't stop—it's 4:30 p.m.!")]
    lab.check_equal("spaCy's rule tokenizer keeps clitics and abbreviations", spacy_tokens,
                    ["Do", "n't", "stop", "—", "it", "'s", "4:30", "p.m.", "!"],
                    message="a rule-based alternative to the regex tokenizer")

    lab.section("stopwords (spaCy's English list)")
    with lab.guard("remove_stopwords runs"):
        text, expected = STOPWORD_TABLE
        lab.check_equal("remove_stopwords = known table", remove_stopwords(text.split(), stop),
                        expected)
        raw = [wordpunct_tokenize(d) for d in docs]
        mine = [remove_stopwords(toks, stop) for toks in raw]
        oracle = [[t.text for t in Doc(nlp.vocab, words=toks) if not t.is_stop] for toks in raw]
        lab.check("remove_stopwords = spaCy is_stop on the raw corpus tokens", mine == oracle,
                  "equal", sum(a != b for a, b in zip(mine, oracle, strict=True)),
                  message="documents that differ")

    lab.section("stemming (NLTK Porter) and lemmatization (spaCy lookup)")
    check_table(lab, "Porter stems = published examples", stemmer.stem, PORTER_TABLE)
    check_table(lab, "lookup lemmas = known dictionary forms", lambda w: lemmas([w])[0],
                LEMMA_TABLE)

    lab.section("the whole pipeline on one sentence")
    with lab.guard("pipeline runs"):
        sentence, content, stem_exp, lemma_exp = PIPELINE
        words = remove_stopwords(tokenize(normalize(sentence)), stop)
        lab.check_equal("normalize -> tokenize -> remove_stopwords", words, content)
        lab.check_equal("... -> Porter stems", [stemmer.stem(w) for w in words], stem_exp)
        lab.check_equal("... -> lookup lemmas", lemmas(words), lemma_exp)

    lab.section("how each step shrinks the vocabulary (Lee corpus)")
    with lab.guard("vocabulary stages run"):
        raw_tokens = [t for d in docs for t in tokenize(d)]
        norm_tokens = [t for d in docs for t in tokenize(normalize(d))]
        content_tokens = remove_stopwords(norm_tokens, stop)
        stages = {
            "raw tokens": raw_tokens,
            "lowercased": [t.lower() for t in raw_tokens],
            "normalised": norm_tokens,
            "no stopwords": content_tokens,
            "Porter stems": [stemmer.stem(t) for t in content_tokens],
            "lookup lemmas": lemmas(content_tokens),
        }
        sizes = {k: len(set(v)) for k, v in stages.items()}
        lab.log("  deleting apostrophes makes new types (government's -> governments)")
        for k in stages:
            lab.metric(f"vocab_{k.replace(' ', '_')}", sizes[k], "types")
        lab.metric("stopword_share", 1 - len(content_tokens) / len(norm_tokens))
        lab.check_le("stems merge more word forms than lemmas", sizes["Porter stems"],
                     sizes["lookup lemmas"], "rule-based chopping is more aggressive")
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
        ax.barh(list(sizes)[::-1], list(sizes.values())[::-1], color="tab:orange")
        for y, v in enumerate(list(sizes.values())[::-1]):
            ax.text(v, y, f" {v}", va="center", fontsize=8)
        ax.set(xlabel="distinct types", title=f"vocabulary after each step ({len(docs)} news docs)")
        ax.set_xlim(0, max(sizes.values()) * 1.15)
        lab.savefig(fig, "vocabulary_stages.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("text-preprocessing", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
