"""Bug: never looks inside base64, so an encoded order passes."""

import re
import unicodedata

from llm_security import OVERRIDE_PHRASES, TOOLS, ZERO_WIDTH


def detect_injection(text):
    t = unicodedata.normalize("NFKC", text)
    t = "".join(c for c in t if c not in ZERO_WIDTH).lower()
    return bool(re.search(r"\b(" + "|".join(TOOLS) + r")\s*\(", t)
                or any(p in t for p in OVERRIDE_PHRASES)
                or re.search(r"^\s*(system|assistant|developer):", t, flags=re.M))
