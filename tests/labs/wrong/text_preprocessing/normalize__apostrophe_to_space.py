"""Bug: apostrophes become spaces like other punctuation ("it's" -> "it s")."""

import unicodedata


def normalize(text):
    s = unicodedata.normalize("NFKC", text).lower()
    s = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in s)
    return " ".join(s.split())
