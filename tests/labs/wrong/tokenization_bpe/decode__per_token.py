"""Bug: decodes each token's bytes on its own, so characters split across tokens break."""

from tokenization_bpe import base_vocab


def decode(ids, merges):
    vocab = base_vocab() + [a + b for a, b in merges]
    return "".join(vocab[i].decode("utf-8", errors="replace") for i in ids)
