"""Text preprocessing: normalisation, tokenization, stopwords, stemming and lemmatization.

Before a model sees text, the text is cleaned and cut into units. Normalisation maps
variants of the same string to one form (Unicode NFKC, lowercasing, punctuation removal,
whitespace collapsing) and must be idempotent: normalising twice changes nothing.
Tokenization cuts text into tokens; stopword removal drops frequent function words.

A stemmer chops suffixes by rules and never looks a word up. Porter's (1980) stemmer
sees a word as [C](VC)^m[V], runs of consonants C and vowels V ("y" is a vowel after a
consonant, a consonant otherwise), and strips suffixes in five steps, each rule allowed
only when the measure m of what is left is large enough: "relational" -> "relate" (step
2) -> "relat" (step 5). The stems need not be words ("happy" -> "happi"); they only need
to merge the forms of one word. A lemmatizer maps a word to its dictionary form ("mice"
-> "mouse"): spaCy's rule lemmatizer, given the part of speech, tries every suffix rule
("ies" -> "y"), prefers candidates found in a dictionary of lemmas (the index), and lets
a table of irregular forms (the exceptions) override the rules. Its tables come from the
spacy-lookups-data package, which also ships a plain form -> lemma lookup table.

You write the normaliser, the tokenizer, stopword removal, Porter's measure and stemmer,
and the rule lemmatizer. They are checked against known tables, NLTK's wordpunct
tokenizer, spaCy's stopword flags, NLTK's Porter stemmer (original algorithm) and spaCy's
rule lemmatizer on the vocabulary of real news text (the Lee corpus that ships inside
gensim's wheel); then you see how much each step shrinks that vocabulary.

$ python labs/text_preprocessing.py --quick
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import kit

EXERCISES = ("normalize", "tokenize", "remove_stopwords", "porter_measure", "porter_stem",
             "lemmatize")
# Setup no exercise touches is computed once per process (kit.cached where the kit has it).
cached = getattr(kit, "cached", functools.cache)

APOSTROPHES = "'\u2019"  # deleted, not replaced: "don't" -> "dont", "it's" -> "its"
# Porter's steps 2, 3 and 4 as (suffix, replacement), in the paper's order (longer first)
STEP2 = [("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"),
         ("izer", "ize"), ("abli", "able"), ("alli", "al"), ("entli", "ent"), ("eli", "e"),
         ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"), ("ator", "ate"),
         ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"),
         ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")]
STEP3 = [("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"),
         ("ful", ""), ("ness", "")]
STEP4 = [(s, "") for s in ("al ance ence er ic able ible ant ement ment ent ion ou ism ate "
                           "iti ous ive ize").split()]  # "ion" only after s or t


@dataclass
class Config:
    n_docs: int = 300  # Lee background news documents (gensim test data) to process
    max_codepoint: int = 0x110000  # idempotent on every code point below (0x3400 in --quick)
    n_words: int = 7000  # corpus word types checked against NLTK and spaCy (1200 in --quick)


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


def porter_measure(stem: str) -> int:
    """Porter's measure m of a lowercase string written as [C](VC)^m[V]: the number of
    vowel-run -> consonant-run transitions. Vowels: a, e, i, o, u, and "y" when the letter
    before it is a consonant ("y" first in a word, or after a vowel, is a consonant).
    m("tree") = 0, m("trouble") = 1, m("oaten") = 2, m("syzygy") = 2."""
    cv = []
    for i, ch in enumerate(stem):
        vowel = ch in "aeiou" or (ch == "y" and i > 0 and cv[i - 1] == "c")
        cv.append("v" if vowel else "c")
    return "".join(cv).count("vc")


def porter_stem(word: str) -> str:
    """Porter's (1980) stemmer, the original algorithm, on ``word.lower()``.

    "vowel" and m are as in ``porter_measure``; *d: ends in a double consonant; *o: ends
    consonant-vowel-consonant, the last not w, x or y. Steps, in order:
    1a: sses -> ss, ies -> i, ss -> ss, s -> "" (first that matches).
    1b: eed -> ee if m(stem) > 0 (else unchanged); otherwise ed or ing is removed if the
    stem contains a vowel, and then: at -> ate, bl -> ble, iz -> ize; else *d and not
    l, s or z -> drop the last letter; else m = 1 and *o -> add e.
    1c: y -> i if the stem contains a vowel.
    2, 3, 4: the first rule of ``STEP2`` (``STEP3``, ``STEP4``) whose suffix the word ends
    with is applied if m(stem) > 0 (> 0, > 1; "ion" also needs the stem to end in s or t);
    if that rule's condition fails the step leaves the word unchanged.
    5a: drop a final e if m(stem) > 1, or m(stem) = 1 and not *o. 5b: ll -> l if m > 1.
    """
    w = word.lower()

    def cons(s: str, i: int) -> bool:
        return s[i] not in "aeiou" and (s[i] != "y" or i == 0 or not cons(s, i - 1))

    def has_vowel(s: str) -> bool:
        return any(not cons(s, i) for i in range(len(s)))

    def cvc(s: str) -> bool:
        n = len(s)
        return (n >= 3 and cons(s, n - 3) and not cons(s, n - 2) and cons(s, n - 1)
                and s[-1] not in "wxy")

    if w.endswith(("sses", "ies")):  # step 1a
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if w.endswith("eed"):  # step 1b
        w = w[:-1] if porter_measure(w[:-3]) > 0 else w
    else:
        for suffix in ("ed", "ing"):
            if w.endswith(suffix) and has_vowel(w[: -len(suffix)]):
                w = w[: -len(suffix)]
                if w.endswith(("at", "bl", "iz")):
                    w += "e"
                elif len(w) > 1 and w[-1] == w[-2] and cons(w, len(w) - 1):
                    w = w if w[-1] in "lsz" else w[:-1]
                elif porter_measure(w) == 1 and cvc(w):
                    w += "e"
                break
    if w.endswith("y") and has_vowel(w[:-1]):  # step 1c
        w = w[:-1] + "i"
    for rules, m_min in ((STEP2, 0), (STEP3, 0), (STEP4, 1)):  # steps 2, 3, 4
        for suffix, rep in rules:
            if w.endswith(suffix):
                stem = w[: -len(suffix)]
                if porter_measure(stem) > m_min and (suffix != "ion" or stem[-1:] in "st"):
                    w = stem + rep
                break
    if w.endswith("e"):  # step 5a
        m = porter_measure(w[:-1])
        w = w[:-1] if m > 1 or (m == 1 and not cvc(w[:-1])) else w
    if w.endswith("ll") and porter_measure(w) > 1:  # step 5b
        w = w[:-1]
    return w


def lemmatize(word: str, pos: str, tables: dict) -> str:
    """spaCy's rule lemmatizer for one word with part of speech ``pos`` ("noun", "verb",
    "adj", "adv" or "punct").

    ``tables`` holds spacy-lookups-data's English tables: ``tables["rules"][pos]`` a list
    of [old, new] suffix rules, ``tables["index"][pos]`` a set of known lemmas,
    ``tables["exc"][pos]`` a dict form -> list of lemmas (irregular forms). Work on
    ``word.lower()``. For each rule in order whose ``old`` the word ends with, the
    candidate is the word with ``old`` replaced by ``new`` (skip an empty one): a candidate
    in the index goes to the *front* of the list (so of two known candidates the later
    rule wins: verb "hoped" -> "hop"), one that is not alphabetic to the back, any other
    is kept aside as out-of-vocabulary. Drop repeated candidates (keep the first), then
    insert each exception lemma not yet listed at the front, one by one in the table's
    order (so the table's last exception ends up first: "axes" -> ["ax", "axis"] gives
    "axis"). Return
    the first candidate; if none, the first out-of-vocabulary one; else ``word`` unchanged.
    """
    s = word.lower()
    forms, oov = [], []
    for old, new in tables["rules"].get(pos, []):
        if s.endswith(old):
            form = s[: len(s) - len(old)] + new
            if not form:
                continue
            if form in tables["index"].get(pos, ()):
                forms.insert(0, form)
            elif not form.isalpha():
                forms.append(form)
            else:
                oov.append(form)
    forms = list(dict.fromkeys(forms))
    for form in tables["exc"].get(pos, {}).get(s, []):
        if form not in forms:
            forms.insert(0, form)
    return (forms or oov or [word])[0]


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
MEASURE_TABLE = {"tr": 0, "ee": 0, "tree": 0, "y": 0, "by": 0, "trouble": 1, "oats": 1,
                 "trees": 1, "ivy": 1, "troubles": 2, "private": 2, "oaten": 2, "orrery": 2,
                 "toy": 1, "syzygy": 2, "yoyo": 1, "": 0}
PORTER_STEP1 = {  # the paper's examples for step 1
    "caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress", "cats": "cat",
    "feed": "feed", "agreed": "agre", "plastered": "plaster", "bled": "bled",
    "motoring": "motor", "sing": "sing", "conflated": "conflat", "troubled": "troubl",
    "sized": "size", "hopping": "hop", "tanned": "tan", "falling": "fall", "hissing": "hiss",
    "fizzed": "fizz", "failing": "fail", "filing": "file", "happy": "happi", "sky": "sky"}
PORTER_STEP2_5 = {  # ... and for steps 2 to 5 (the final stems)
    "relational": "relat", "conditional": "condit", "rational": "ration",
    "generalization": "gener", "hopefulness": "hope", "goodness": "good",
    "adjustment": "adjust", "adoption": "adopt", "effective": "effect", "probate": "probat",
    "rate": "rate", "cease": "ceas", "controlling": "control", "roll": "roll"}
LEMMA_TABLE = {  # (word, pos): lemma, from the tables' rules and exceptions
    ("mice", "noun"): "mouse", ("Feet", "noun"): "foot", ("boxes", "noun"): "box",
    ("leaves", "noun"): "leaf", ("studies", "verb"): "study", ("were", "verb"): "be",
    ("running", "verb"): "run", ("hoped", "verb"): "hop", ("worse", "adj"): "bad",
    ("axes", "noun"): "axis", ("co-ops", "noun"): "co-op", ("blurgs", "noun"): "blurg",
    ("Zorp", "verb"): "Zorp"}

def check_table(lab: kit.Lab, name: str, fn, table: dict, hint: str = "") -> bool:
    """One check that ``fn(key) == value`` for every entry; reports only the mismatches."""
    got = {k: fn(k) for k in table}
    bad = [k for k in table if got[k] != table[k]]
    return lab.check(name, not bad, {k: table[k] for k in bad} if bad else f"{len(table)} entries",
                     {k: got[k] for k in bad} if bad else f"{len(table)} equal",
                     message=f"{len(bad)} of {len(table)} entries differ" if bad else "",
                     hint=hint)


def lee_corpus(n: int) -> list[str]:
    """The first ``n`` lines of gensim's Lee background corpus (news text, one doc a line)."""
    spec = importlib.util.find_spec("gensim")  # locate the wheel without importing gensim
    root = Path(spec.submodule_search_locations[0])
    path = root / "test" / "test_data" / "lee_background.cor"
    return path.read_text(encoding="utf-8").splitlines()[:n]


@cached
def lemma_tables() -> dict:
    """spacy-lookups-data's English rule tables as plain dicts (index values as sets)."""
    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data"
    tab = {k: json.loads(gzip.open(data / f"en_lemma_{k}.json.gz").read())
           for k in ("rules", "index", "exc", "lookup")}
    tab["index"] = {pos: set(v) for pos, v in tab["index"].items()}
    return tab


@cached
def oracles(n_docs: int, n_words: int) -> dict:
    """The corpus, the word list and what NLTK and spaCy make of them (no exercise runs)."""
    import spacy
    from nltk.stem.porter import PorterStemmer
    from nltk.tokenize import wordpunct_tokenize
    from spacy.lang.en.stop_words import STOP_WORDS
    from spacy.tokens import Doc

    docs = lee_corpus(n_docs)
    words = sorted({w for d in lee_corpus(300) for w in re.findall(r"[A-Za-z]+", d)})
    words = [words[i] for i in range(0, len(words), max(1, len(words) // n_words))]
    lower = sorted({w.lower() for w in words})
    nlp = spacy.blank("en")
    rule_lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "rule"})
    nlp.initialize()  # loads the rule tables from spacy-lookups-data (offline)
    porter = PorterStemmer(mode=PorterStemmer.ORIGINAL_ALGORITHM)
    raw = [wordpunct_tokenize(d) for d in docs]
    lemmas = {pos: [t.lemma_ for t in rule_lemmatizer(
        Doc(nlp.vocab, words=words, pos=[pos.upper()] * len(words)))]
        for pos in ("noun", "verb", "adj", "adv")}
    return {"docs": docs, "words": words, "lower": lower, "raw": raw,
            "stop": frozenset(w.lower() for w in STOP_WORDS),
            "not_stop": [[t.text for t in Doc(nlp.vocab, words=toks) if not t.is_stop]
                         for toks in raw],
            "measure": [porter._measure(w) for w in lower],
            "stem": [porter.stem(w) for w in words], "lemmas": lemmas}


def body(lab: kit.Lab) -> None:
    cfg = Config(n_docs=lab.pick(120, 300), max_codepoint=lab.pick(0x3400, 0x110000),
                 n_words=lab.pick(1200, 7000))
    o = oracles(cfg.n_docs, cfg.n_words)
    docs, words, lower, stop = o["docs"], o["words"], o["lower"], set(o["stop"])
    tables = lemma_tables()
    lab.log(f"  {len(docs)} Lee corpus documents, {len(words)} word types checked")

    lab.section("normalisation: NFKC, lowercase, punctuation, whitespace")
    with lab.guard("normalize runs"):
        check_table(lab, "normalize = known table", normalize, NORMALIZE_TABLE,
                    hint="NFKC before lowercasing; Unicode punctuation is category P*")
        once = [normalize(d) for d in docs]
        changed = sum(normalize(n) != n for n in once)
        lab.check("idempotent on the corpus", changed == 0,
                  "normalize(normalize(d)) == normalize(d)", changed,
                  message="documents that changed")
        cps = [chr(c) for c in range(cfg.max_codepoint) if not 0xD800 <= c < 0xE000]
        chunks = ["".join(cps[i:i + 64]) for i in range(0, len(cps), 64)]
        chunks_once = [normalize(c) for c in chunks]
        bad = [n for n in chunks_once if normalize(n) != n]
        lab.check_equal(f"idempotent on every code point < {cfg.max_codepoint:#x} (64 a string)",
                        len(bad), 0, message="strings that changed on a second pass",
                        hint="collapse whitespace last, after punctuation became spaces")
        leftover = {ch for n in once + chunks_once for ch in n
                    if unicodedata.category(ch).startswith("P") or ch != ch.lower()}
        lab.check_equal("no punctuation or uppercase left (corpus and code points)",
                        "".join(sorted(leftover))[:40], "")

    lab.section("tokenization: word runs and punctuation runs")
    with lab.guard("tokenize runs"):
        check_table(lab, "tokenize = known table", tokenize, TOKEN_TABLE)
        diff = [i for i, (d, r) in enumerate(zip(docs, o["raw"], strict=True))
                if tokenize(d) != r]
        lab.check_equal("tokenize = NLTK wordpunct_tokenize on the corpus", diff, [],
                        message="indices of documents that differ")

    lab.section("stopwords (spaCy's English list)")
    with lab.guard("remove_stopwords runs"):
        text, expected = STOPWORD_TABLE
        lab.check_equal("remove_stopwords = known table", remove_stopwords(text.split(), stop),
                        expected)
        mine = [remove_stopwords(list(toks), stop) for toks in o["raw"]]
        oracle = o["not_stop"]
        lab.check("remove_stopwords = spaCy is_stop on the raw corpus tokens", mine == oracle,
                  "equal", sum(a != b for a, b in zip(mine, oracle, strict=True)),
                  message="documents that differ", hint="compare the lowercase form")

    lab.section("Porter's measure and stemmer vs NLTK (original algorithm)")
    with lab.guard("porter_measure runs"):
        check_table(lab, "porter_measure = the paper's examples", porter_measure, MEASURE_TABLE,
                    hint="y is a vowel only after a consonant")
        bad = [w for w, m in zip(lower, o["measure"], strict=True) if porter_measure(w) != m]
        lab.check_equal(f"porter_measure = NLTK's on {len(lower)} corpus words", bad[:8], [],
                        message=f"{len(bad)} words differ")
    with lab.guard("porter_stem runs"):
        check_table(lab, "porter_stem = the paper's step-1 examples", porter_stem, PORTER_STEP1)
        check_table(lab, "porter_stem = the paper's step 2-5 examples", porter_stem,
                    PORTER_STEP2_5, hint="a rule whose suffix matches ends the step")
        bad = [(w, mine, ref) for w, ref in zip(words, o["stem"], strict=True)
               if (mine := porter_stem(w)) != ref]
        lab.check_equal(f"porter_stem = NLTK PorterStemmer on {len(words)} corpus words",
                        bad[:5], [],
                        message=f"{len(bad)} words differ (word, yours, NLTK's)")

    lab.section("rule lemmatizer vs spaCy's (tables from spacy-lookups-data)")
    with lab.guard("lemmatize runs"):
        check_table(lab, "lemmatize = known lemmas", lambda k: lemmatize(*k, tables),
                    LEMMA_TABLE, hint="index candidates go to the front; exceptions first")
        for pos in ("noun", "verb", "adj", "adv"):
            bad = [(w, mine, ref) for w, ref in zip(words, o["lemmas"][pos], strict=True)
                   if (mine := lemmatize(w, pos, tables)) != ref]
            lab.check_equal(f"lemmatize = spaCy's rule lemmatizer, {len(words)} words as {pos}",
                            bad[:5], [], message=f"{len(bad)} words differ (word, yours, spaCy)")

    lab.section("how each step shrinks the vocabulary (Lee corpus)")
    with lab.guard("vocabulary stages run"):
        raw_tokens = [t for d in docs for t in tokenize(d)]
        norm_tokens = [t for d in docs for t in tokenize(normalize(d))]
        content_tokens = remove_stopwords(norm_tokens, stop)
        stages = {"raw tokens": raw_tokens, "lowercased": [t.lower() for t in raw_tokens],
                  "normalised": norm_tokens, "no stopwords": content_tokens,
                  "Porter stems": [porter_stem(t) for t in content_tokens],
                  "lookup lemmas": [tables["lookup"].get(t, t) for t in content_tokens]}
        sizes = {k: len(set(v)) for k, v in stages.items()}
        lab.table("vocabulary_stages", ["stage", "types", "tokens"],
                  [[k, sizes[k], len(v)] for k, v in stages.items()],
                  title=f"vocabulary after each step ({len(docs)} news documents; deleting "
                        "apostrophes makes new types: government's -> governments)")
        lab.metric("stopword_share", 1 - len(content_tokens) / len(norm_tokens))
        lab.conclude(f"Your pipeline matched NLTK's Porter stemmer and spaCy's rule lemmatizer "
                     f"on {len(words)} news words; on {len(docs)} documents normalising took the "
                     f"vocabulary from {sizes['raw tokens']} to {sizes['normalised']} types and "
                     f"stemming to {sizes['Porter stems']}, while lookup lemmas kept "
                     f"{sizes['lookup lemmas']}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("text-preprocessing", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
