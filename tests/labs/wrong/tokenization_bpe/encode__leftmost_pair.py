"""Bug: merges the leftmost learnt pair first instead of the earliest-learnt (lowest rank)."""

from tokenization_bpe import base_vocab, pretokenize


def encode(text, merges):
    vocab = base_vocab() + [a + b for a, b in merges]
    ids = {tok: i for i, tok in enumerate(vocab)}
    known = set(merges)
    out = []
    for word in pretokenize(text):
        parts = [bytes([b]) for b in word]
        merged = True
        while merged and len(parts) > 1:
            merged = False
            for i in range(len(parts) - 1):
                if (parts[i], parts[i + 1]) in known:
                    parts[i : i + 2] = [parts[i] + parts[i + 1]]
                    merged = True
                    break
        out.extend(ids[p] for p in parts)
    return out
