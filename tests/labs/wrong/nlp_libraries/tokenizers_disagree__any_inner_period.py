"""Bug: any period before the end counts, so Mr. and Dr. (kept whole by both) are flagged."""

import re


def tokenizers_disagree(sentence):
    hyphen = re.search(r"[A-Za-z]-[A-Za-z]", sentence) is not None
    return hyphen or '"' in sentence or re.search(r"[A-Za-z]\.\s+\S", sentence) is not None
