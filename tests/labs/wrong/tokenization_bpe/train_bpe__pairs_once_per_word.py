"""Bug: counts each distinct pair once per pre-token (a set), so 'aaaa' holds one (a, a)."""

from collections import Counter

from tokenization_bpe import base_vocab


def train_bpe(word_counts, num_merges):
    vocab = base_vocab()
    ids = {tok: i for i, tok in enumerate(vocab)}
    words = [[ids[bytes([b])] for b in w] for w in word_counts]
    counts = list(word_counts.values())
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for w, c in zip(words, counts, strict=True):
            for pair in set(zip(w, w[1:], strict=False)):
                pairs[pair] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        new_id = len(vocab)
        vocab.append(vocab[best[0]] + vocab[best[1]])
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w in words:
            i = 0
            while i < len(w) - 1:
                if (w[i], w[i + 1]) == best:
                    w[i : i + 2] = [new_id]
                i += 1
    return merges
