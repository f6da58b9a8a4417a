"""Bug: uses a byte's value as its id (0..255 in byte order), not the vocabulary's order."""

from tokenization_bpe import pretokenize


def encode(text, merges):
    vocab = [bytes([b]) for b in range(256)] + [a + b for a, b in merges]
    ids = {tok: i for i, tok in enumerate(vocab)}
    rank = {pair: r for r, pair in enumerate(merges)}
    out = []
    for word in pretokenize(text):
        parts = [bytes([b]) for b in word]
        while len(parts) > 1:
            pairs = zip(parts, parts[1:], strict=False)
            r, i = min((rank.get(p, len(rank)), i) for i, p in enumerate(pairs))
            if r == len(rank):
                break
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
        out.extend(ids[p] for p in parts)
    return out
