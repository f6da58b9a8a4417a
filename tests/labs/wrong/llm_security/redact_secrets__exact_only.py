"""Bug: replaces only the secret exactly as stored (no case, separators or encodings)."""


def redact_secrets(text, secrets):
    for s in secrets.values():
        text = text.replace(s, "[REDACTED]")
    return text
