"""Bug: keeps only the word runs; punctuation tokens are lost."""

import re


def tokenize(text):
    return re.findall(r"\w+", text)
