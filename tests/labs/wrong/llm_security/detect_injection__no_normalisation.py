"""Bug: scans the raw text (no NFKC, zero-width characters kept): hidden markers pass."""

import base64
import re

from llm_security import OVERRIDE_PHRASES, TOOLS


def detect_injection(text):
    texts = [text]
    for blob in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", text):
        try:
            texts.append(base64.b64decode(blob).decode("utf-8"))
        except ValueError:
            pass
    for t in texts:
        t = t.lower()
        if re.search(r"\b(" + "|".join(TOOLS) + r")\s*\(", t):
            return True
        if any(p in t for p in OVERRIDE_PHRASES):
            return True
        if re.search(r"^\s*(system|assistant|developer):", t, flags=re.M):
            return True
    return False
