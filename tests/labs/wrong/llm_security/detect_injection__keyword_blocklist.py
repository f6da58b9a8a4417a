"""Bug: a keyword blocklist ("ignore", "system", a tool's verb) instead of the markers."""

import unicodedata

from llm_security import ZERO_WIDTH


def detect_injection(text):
    t = unicodedata.normalize("NFKC", text)
    t = "".join(c for c in t if c not in ZERO_WIDTH).lower()
    return any(w in t for w in ("ignore", "system", "send_email", "delete", "fetch",
                                "decode and follow"))
