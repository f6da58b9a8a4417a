"""A deliberately wrong solution: lowercase before NFKC and collapse whitespace before
removing punctuation (not idempotent), drop punctuation tokens, case-sensitive stopwords."""

import re
import string
import unicodedata


def normalize(text):
    s = " ".join(text.lower().split())  # collapses whitespace too early
    s = unicodedata.normalize("NFKC", s)  # NFKC after lowercasing: "ℌ" -> "H" stays upper
    return "".join(" " if ch in string.punctuation else ch for ch in s).strip()


def tokenize(text):
    return re.findall(r"\w+", text)  # punctuation tokens are lost


def remove_stopwords(tokens, stopwords):
    return [t for t in tokens if t not in stopwords]  # "The" slips through
