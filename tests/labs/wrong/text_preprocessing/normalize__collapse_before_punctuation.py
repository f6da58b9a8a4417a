"""Bug: collapses whitespace first and turns punctuation into spaces afterwards, so
"a , b" keeps a double space and a second pass changes the text (not idempotent)."""

import unicodedata


def normalize(text):
    s = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    chars = []
    for ch in s:
        if ch in "'\u2019":
            continue
        chars.append(" " if unicodedata.category(ch).startswith("P") else ch)
    return "".join(chars).strip()
