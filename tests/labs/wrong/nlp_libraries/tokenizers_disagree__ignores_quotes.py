"""Bug: forgets that Treebank rewrites double quotes as `` and ''."""

import re


def tokenizers_disagree(sentence):
    if re.search(r"[A-Za-z]-[A-Za-z]", sentence):
        return True
    words = [m for m in re.findall(r"\b([A-Za-z]+)\.\s+\S", sentence)
             if m not in {"Mr", "Mrs", "Ms", "Dr"}]
    return bool(words)
