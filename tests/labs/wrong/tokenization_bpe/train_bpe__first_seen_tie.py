"""Bug: `max(stats, key=stats.get)` (minbpe style) breaks ties by first occurrence, not ids."""

from tokenization_bpe import base_vocab


def train_bpe(word_counts, num_merges):
    vocab = base_vocab()
    ids = {tok: i for i, tok in enumerate(vocab)}
    words = [([ids[bytes([b])] for b in w], c) for w, c in word_counts.items()]
    merges = []
    for _ in range(num_merges):
        stats = {}
        for w, c in words:
            for pair in zip(w, w[1:], strict=False):
                stats[pair] = stats.get(pair, 0) + c
        if not stats:
            break
        best = max(stats, key=stats.get)
        new_id = len(vocab)
        vocab.append(vocab[best[0]] + vocab[best[1]])
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w, _ in words:
            i = 0
            while i < len(w) - 1:
                if (w[i], w[i + 1]) == best:
                    w[i : i + 2] = [new_id]
                i += 1
    return merges
