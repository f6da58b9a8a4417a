"""Another correct solution: str.maketrans for zero-width characters, binascii with
validate=True for base64, one compiled alternation per secret, and a dispatch table of
per-tool rules."""

import base64
import binascii
import re
import unicodedata

TOOL_NAMES = ("read_file", "read_inbox", "fetch_url", "send_email", "delete_file")
PHRASES = ("ignore previous instructions", "ignore all previous instructions",
           "disregard your instructions", "new instructions:")
DROP = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
CALL_RE = re.compile(r"\b(?:%s)\s*\(" % "|".join(TOOL_NAMES))
ROLE_RE = re.compile(r"(?m)^[ \t]*(?:system|assistant|developer):")
B64_RE = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def _suspicious(t):
    t = unicodedata.normalize("NFKC", t).translate(DROP).casefold()
    return bool(CALL_RE.search(t) or ROLE_RE.search(t) or any(p in t for p in PHRASES))


def detect_injection(text):
    if _suspicious(text):
        return True
    for blob in B64_RE.findall(text):
        try:
            decoded = binascii.a2b_base64(blob, strict_mode=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        if _suspicious(decoded):
            return True
    return False


def redact_secrets(text, secrets):
    seps = " -_."
    gap = "[ \\-_.]*"
    for value in secrets.values():
        chars = [re.escape(c) for c in value if c not in seps]
        encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
        options = [gap.join(chars), gap.join(reversed(chars)), re.escape(encoded),
                   re.escape(encoded.rstrip("=")), re.escape(value.encode("utf-8").hex())]
        text = re.compile("|".join(f"(?:{o})" for o in options), re.IGNORECASE).sub(
            "[REDACTED]", text)
    return text


def authorize(call, request):
    tokens = request.split()
    folded = {t.casefold() for t in tokens}
    rules = {
        "read_file": lambda a: True,
        "read_inbox": lambda a: True,
        "fetch_url": lambda a: a[0] in tokens,
        "send_email": lambda a: "email" in folded and a[0].casefold() in folded,
        "delete_file": lambda a: "delete" in folded and a[0] in tokens,
    }
    rule = rules.get(call["tool"])
    return bool(rule and rule(call["args"]))
