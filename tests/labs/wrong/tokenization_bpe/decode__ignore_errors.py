"""Bug: errors="ignore" silently drops a cut character instead of marking it with U+FFFD."""

from tokenization_bpe import base_vocab


def decode(ids, merges):
    vocab = base_vocab() + [a + b for a, b in merges]
    return b"".join(vocab[i] for i in ids).decode("utf-8", errors="ignore")
