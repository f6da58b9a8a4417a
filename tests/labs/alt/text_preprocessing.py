"""Another idiom: str.translate tables and a regex tokenizer built from Unicode classes,
a state machine for Porter's measure, Porter's steps as data-driven rule lists (as in
Martin Porter's own reference code), and spaCy's lemmatizer as a sorted candidate list."""

import re
import sys
import unicodedata

_PUNCT = {c: " " for c in range(sys.maxunicode + 1)
          if unicodedata.category(chr(c)).startswith("P")}
_PUNCT.update({ord("'"): None, ord("\u2019"): None})
_TOKEN = re.compile(r"[^\W]+|[^\w\s]+", re.UNICODE)


def normalize(text):
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+", " ", folded.translate(_PUNCT)).strip()


def tokenize(text):
    return _TOKEN.findall(text)


def remove_stopwords(tokens, stopwords):
    out = []
    for tok in tokens:
        if tok.casefold() in stopwords and tok.lower() in stopwords:
            continue
        out.append(tok)
    return out


def _kinds(s):
    kinds, prev = [], "v"  # a leading y is a consonant: pretend a vowel came before
    for ch in s:
        k = "v" if ch in "aeiou" else ("v" if ch == "y" and prev == "c" else "c")
        kinds.append(k)
        prev = k
    return kinds


def porter_measure(stem):
    m, state = 0, None
    for k in _kinds(stem):
        if state == "v" and k == "c":
            m += 1
        state = k
    return m


def _vowel_in(s):
    return "v" in _kinds(s)


def _double_c(s):
    return len(s) >= 2 and s[-1] == s[-2] and _kinds(s)[-1] == "c"


def _cvc(s):
    return len(s) >= 3 and "".join(_kinds(s)[-3:]) == "cvc" and s[-1] not in "wxy"


_S2 = """ational ate|tional tion|enci ence|anci ance|izer ize|abli able|alli al|entli ent|eli e|
ousli ous|ization ize|ation ate|ator ate|alism al|iveness ive|fulness ful|ousness ous|
aliti al|iviti ive|biliti ble"""
_S3 = "icate ic|ative |alize al|iciti ic|ical ic|ful |ness "
_S4 = "al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ion|ou|ism|ate|iti|ous|ive|ize"


def _table(text):
    rows = [r.strip().split(" ") for r in text.replace("\n", "").split("|")]
    return [(r[0], r[1] if len(r) > 1 else "") for r in rows]


def _step(w, rules, ok):
    for suf, rep in rules:
        if w.endswith(suf):
            stem = w[: len(w) - len(suf)]
            return stem + rep if ok(stem, suf) else w
    return w


def porter_stem(word):
    w = word.lower()
    if w.endswith("sses"):
        w = w[:-4] + "ss"
    elif w.endswith("ies"):
        w = w[:-3] + "i"
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if w.endswith("eed"):
        if porter_measure(w[:-3]) > 0:
            w = w[:-1]
    else:
        m = re.match(r"^(.*?)(ed|ing)$", w)
        if m and _vowel_in(m.group(1)):
            w = m.group(1)
            if w[-2:] in ("at", "bl", "iz"):
                w = w + "e"
            elif _double_c(w):
                if w[-1] not in "lsz":
                    w = w[:-1]
            elif porter_measure(w) == 1 and _cvc(w):
                w = w + "e"
    if w.endswith("y") and _vowel_in(w[:-1]):
        w = w[:-1] + "i"
    w = _step(w, _table(_S2), lambda st, s: porter_measure(st) > 0)
    w = _step(w, _table(_S3), lambda st, s: porter_measure(st) > 0)
    w = _step(w, [(s, "") for s in _S4.split("|")],
              lambda st, s: porter_measure(st) > 1 and (s != "ion" or st[-1:] in ("s", "t")))
    if w[-1:] == "e":
        m = porter_measure(w[:-1])
        if m > 1 or (m == 1 and not _cvc(w[:-1])):
            w = w[:-1]
    if porter_measure(w) > 1 and _double_c(w) and w.endswith("l"):
        w = w[:-1]
    return w


def lemmatize(word, pos, tables):
    low = word.lower()
    index = tables["index"].get(pos, set())
    known, odd, oov = [], [], []
    for k, (old, new) in enumerate(tables["rules"].get(pos, [])):
        if old and not low.endswith(old):
            continue
        cand = low[: len(low) - len(old)] + new
        if cand == "":
            continue
        if cand in index:
            known.append((-k, cand))  # later rules first
        elif not cand.isalpha():
            odd.append(cand)
        else:
            oov.append(cand)
    ranked = []
    for cand in [c for _, c in sorted(known)] + odd:
        if cand not in ranked:
            ranked.append(cand)
    excs = [e for e in tables["exc"].get(pos, {}).get(low, []) if e not in ranked]
    ranked = excs[::-1] + ranked
    if ranked:
        return ranked[0]
    return oov[0] if oov else word
