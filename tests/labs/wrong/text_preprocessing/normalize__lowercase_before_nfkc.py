"""Bug: lowercases before NFKC, so compatibility characters that NFKC maps to capitals
("ℌ" -> "H", "Ｆ" -> "F") stay uppercase."""

import unicodedata


def normalize(text):
    s = unicodedata.normalize("NFKC", text.lower())
    chars = []
    for ch in s:
        if ch in "'\u2019":
            continue
        chars.append(" " if unicodedata.category(ch).startswith("P") else ch)
    return " ".join("".join(chars).split())
