"""Bug: only ASCII punctuation (string.punctuation) is removed; curly quotes, dashes and
the ellipsis survive."""

import string
import unicodedata


def normalize(text):
    s = unicodedata.normalize("NFKC", text).lower()
    s = s.replace("'", "").replace("\u2019", "")
    s = "".join(" " if ch in string.punctuation else ch for ch in s)
    return " ".join(s.split())
