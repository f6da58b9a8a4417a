"""Another idiom: minbpe style (integer ids, get_stats/merge helpers, a dict of merges),
encoding by replaying every merge in training order over the whole pre-token."""

from tokenization_bpe import base_vocab, pretokenize


def get_stats(ids, counts=None, weight=1):
    counts = {} if counts is None else counts
    for pair in zip(ids, ids[1:], strict=False):
        counts[pair] = counts.get(pair, 0) + weight
    return counts


def merge(ids, pair, idx):
    newids, i = [], 0
    while i < len(ids):
        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            newids.append(idx)
            i += 2
        else:
            newids.append(ids[i])
            i += 1
    return newids


def train_bpe(word_counts, num_merges):
    byte_id = {tok[0]: i for i, tok in enumerate(base_vocab())}
    vocab = dict(enumerate(base_vocab()))
    chunks = [([byte_id[b] for b in w], n) for w, n in word_counts.items()]
    merges = {}
    for k in range(num_merges):
        stats = {}
        for ids, n in chunks:
            get_stats(ids, stats, n)
        if not stats:
            break
        top = max(stats.values())
        pair = sorted(p for p, c in stats.items() if c == top)[0]
        idx = 256 + k
        chunks = [(merge(ids, pair, idx), n) for ids, n in chunks]
        merges[pair] = idx
        vocab[idx] = vocab[pair[0]] + vocab[pair[1]]
    return [(vocab[a], vocab[b]) for (a, b) in merges]


def encode(text, merges):
    byte_id = {tok[0]: i for i, tok in enumerate(base_vocab())}
    tok_id = {tok: i for i, tok in enumerate(base_vocab())}
    pair_ids = []
    for k, (a, b) in enumerate(merges):
        pair_ids.append((tok_id[a], tok_id[b], 256 + k))
        tok_id.setdefault(a + b, 256 + k)
    out = []
    for chunk in pretokenize(text):
        ids = [byte_id[b] for b in chunk]
        for a, b, idx in pair_ids:  # replaying merges in order = lowest rank first
            if len(ids) < 2:
                break
            ids = merge(ids, (a, b), idx)
        out.extend(ids)
    return out


def decode(ids, merges):
    vocab = list(base_vocab()) + [a + b for a, b in merges]
    buf = bytearray()
    for i in ids:
        buf += vocab[i]
    return bytes(buf).decode("utf-8", "replace")
