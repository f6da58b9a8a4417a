"""Bug: deletes every separator from the whole text before matching, so it returns text
that differs from the input even where no secret was."""

import base64
import re

from llm_security import SEPARATORS


def redact_secrets(text, secrets):
    squashed = "".join(c for c in text if c not in SEPARATORS)
    for s in secrets.values():
        core = "".join(c for c in s if c not in SEPARATORS)
        b64 = base64.b64encode(s.encode()).decode()
        for form in (core, core[::-1], b64, b64.rstrip("="), s.encode().hex()):
            squashed = re.sub(re.escape(form), "[REDACTED]", squashed, flags=re.I)
    return squashed
