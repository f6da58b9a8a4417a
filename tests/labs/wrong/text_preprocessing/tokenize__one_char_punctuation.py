"""Bug: each punctuation character is its own token, so "..." becomes three tokens."""

import re


def tokenize(text):
    return re.findall(r"\w+|[^\w\s]", text)
