"""Data pipelines for LLM training: stream, shard, deduplicate (MinHash) and pack.

An LLM's training text does not fit in memory and is full of copies. A pipeline writes
the corpus into shards, streams them back one document at a time, removes near-duplicate
documents (the same page with a changed date, a quoted paragraph, boilerplate), and
packs the token streams into fixed-length blocks so that no compute is spent on padding.

Exact all-pairs Jaccard similarity is quadratic, so near-duplicate detection uses MinHash
(Broder 1997): with a random hash h, P[min h(A) = min h(B)] = |A n B| / |A u B|, so the
fraction of agreeing entries in two signatures estimates the Jaccard similarity of the
documents' shingle sets. Locality-sensitive hashing splits each signature into b bands
of r rows; two documents become candidates when any band matches, which happens with
probability 1 - (1 - s^r)^b: an S-curve around s ~ (1/b)^(1/r).

The lab generates a synthetic corpus with planted near-duplicates (0-30% of the words
substituted), writes it as gzipped JSON-lines shards and streams it back. You write the
MinHash signature, LSH banding and sequence packing. Checks: streaming returns every
document exactly once with a small peak memory; MinHash estimates match exact Jaccard;
the share of planted pairs LSH makes candidates follows the S-curve; LSH finds >= 90% of
the planted near-duplicates (oracle: brute-force Jaccard over all pairs with a sparse
matrix product) at >= 90% precision; packing loses no token and
positions restart at each document.

$ python labs/llm_data_pipelines.py --quick
"""

from __future__ import annotations

import functools
import gzip
import json
import tracemalloc
import zlib
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("minhash_signature", "lsh_candidates", "pack_sequences")
PRIME = (1 << 31) - 1  # Mersenne prime for the hash family (a x + b) mod p
# Setup no exercise touches is computed once per process (kit.cached where the kit has it).
cached = getattr(kit, "cached", functools.cache)


@dataclass
class Config:
    n_docs: int = 20000  # original documents (1500 in --quick)
    dup_share: float = 0.2  # near-duplicates planted per original document
    max_edit: float = 0.3  # a near-duplicate has up to this share of its words edited
    shards: int = 8  # gzipped JSON-lines shards on disk
    shingle: int = 3  # words per shingle
    num_perm: int = 128  # MinHash signature length
    bands: int = 32  # LSH bands (rows per band = num_perm / bands = 4)
    threshold: float = 0.5  # a pair with Jaccard >= threshold is a near-duplicate
    block: int = 128  # tokens per packed training sequence


def minhash_signature(shingles: np.ndarray, a: np.ndarray, b: np.ndarray, prime: int) -> np.ndarray:
    """MinHash signature (P,): entry i is min over shingles x of (a[i] * x + b[i]) mod prime.

    shingles: (S,) uint64 shingle hashes below prime; a, b: (P,) uint64 hash parameters.
    """
    return ((np.outer(shingles, a) + b) % prime).min(axis=0)  # (S, P) -> (P,)


def lsh_candidates(signatures: np.ndarray, bands: int) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, whose signatures (N, P) agree on every row of at least one band."""
    n, p = signatures.shape
    rows = p // bands
    pairs = set()
    for band in range(bands):
        buckets = defaultdict(list)
        for i, key in enumerate(map(bytes, signatures[:, band * rows:(band + 1) * rows])):
            buckets[key].append(i)
        for ids in buckets.values():
            pairs.update((ids[x], ids[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
    return pairs


def pack_sequences(docs: list[list[int]], block: int, eos: int, pad: int):
    """Concatenate documents, each followed by eos, and cut the stream into blocks.

    Returns three (n_blocks, block) int arrays: tokens (the last block padded with pad),
    doc_ids (index of the document each token comes from, -1 on padding) and positions
    (index of the token inside its document + eos, restarting at 0 for every document).
    """
    toks = [t for d in docs for t in (*d, eos)]
    ids = [i for i, d in enumerate(docs) for _ in range(len(d) + 1)]
    pos = [k for d in docs for k in range(len(d) + 1)]
    n = -(-len(toks) // block)  # ceil: keep the last, partial block
    extra = n * block - len(toks)
    out = [np.array(x + [fill] * extra).reshape(n, block)
           for x, fill in ((toks, pad), (ids, -1), (pos, 0))]
    return tuple(out)


# --------------------------------------------------------------------------- corpus
def make_corpus(rng, cfg: Config):
    """Documents of Zipf-distributed pseudo-words, plus planted near and exact duplicates."""
    syll = ["ka", "lo", "mi", "ne", "ru", "ta", "si", "po", "de", "fa", "gu", "be", "zo", "vi"]
    vocab = sorted({"".join(rng.choice(syll, size=rng.integers(2, 4))) for _ in range(6000)})
    freq = 1.0 / np.arange(1, len(vocab) + 1) ** 0.8
    freq /= freq.sum()
    docs = [list(rng.choice(vocab, size=rng.integers(40, 120), p=freq)) for _ in range(cfg.n_docs)]
    planted = []  # (original, copy, edit rate)
    for _ in range(int(cfg.dup_share * cfg.n_docs)):
        src = int(rng.integers(cfg.n_docs))
        rate = float(rng.uniform(0, cfg.max_edit))
        words = list(docs[src])
        for k in rng.choice(len(words), size=int(rate * len(words)), replace=False):
            words[k] = str(rng.choice(vocab, p=freq))  # substitute a word
        planted.append((src, len(docs), rate))
        docs.append(words)
    return vocab, [" ".join(d) for d in docs], planted


@cached
def corpus(seed: int, n_docs: int):
    """make_corpus at this seed and size (the lab reads it, never modifies it)."""
    return make_corpus(np.random.default_rng(seed), Config(n_docs=n_docs))


def write_shards(texts, folder, shards):
    """Assign each document to a shard by a stable hash of its id; write gzipped JSONL."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [gzip.open(folder / f"shard-{s:03d}.jsonl.gz", "wt", encoding="utf-8")
             for s in range(shards)]
    for i, text in enumerate(texts):
        shard = zlib.crc32(f"doc-{i}".encode()) % shards  # stable across runs and machines
        files[shard].write(json.dumps({"id": i, "text": text}) + "\n")
    for f in files:
        f.close()
    return sorted(folder.glob("shard-*.jsonl.gz"))


def stream_docs(paths):
    """Yield documents one at a time from the shards: memory stays one line, not a corpus."""
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def shingle_hashes(text: str, k: int) -> np.ndarray:
    words = text.split()
    grams = {" ".join(words[i:i + k]) for i in range(max(1, len(words) - k + 1))}
    return np.array(sorted(zlib.crc32(g.encode()) % PRIME for g in grams), dtype=np.uint64)


def body(lab: kit.Lab) -> None:
    cfg = Config(n_docs=lab.pick(1500, 20000))
    vocab, texts, planted = corpus(lab.seed, cfg.n_docs)
    corpus_bytes = sum(len(t.encode()) for t in texts)
    lab.metric("documents", len(texts))
    lab.metric("corpus_mb", corpus_bytes / 1e6, "MB")

    lab.section("shard and stream")
    paths = write_shards(texts, lab.out / "shards", cfg.shards)
    tracemalloc.start()
    seen, n_words = [], 0
    for doc in stream_docs(paths):  # a pass that keeps ids and counts, never the texts
        seen.append(doc["id"])
        n_words += len(doc["text"].split())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    once = sorted(seen) == list(range(len(texts)))
    with lab.shown():  # the lab's own shard writer and reader
        lab.check("streaming yields every document exactly once", once,
                  f"{len(texts)} ids, each once", f"{len(seen)} ids, {len(set(seen))} distinct")
    sizes = np.bincount([zlib.crc32(f"doc-{i}".encode()) % cfg.shards for i in seen],
                        minlength=cfg.shards)
    lab.metric("largest_shard_share", sizes.max() / sizes.sum())
    lab.metric("words_streamed", n_words)
    lab.metric("stream_peak_mb", peak / 1e6, "MB")
    lab.check_le("streaming peak memory / corpus size (eager loading would be >= 1)",
                 peak / corpus_bytes, 0.25, graded=False)
    shingles = {d["id"]: shingle_hashes(d["text"], cfg.shingle) for d in stream_docs(paths)}

    lab.section("MinHash vs exact Jaccard")
    from scipy import sparse

    n = len(texts)
    sets = [shingles[i] for i in range(n)]
    rows = np.repeat(np.arange(n), [len(s) for s in sets])
    _, cols = np.unique(np.concatenate(sets), return_inverse=True)
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)))
    inter = sparse.triu(x @ x.T, k=1).tocoo()  # brute force: |A n B| for every pair sharing one
    size = np.array([len(s) for s in sets])
    jac = inter.data / (size[inter.row] + size[inter.col] - inter.data)
    truth = {(int(i), int(j)) for i, j, s in zip(inter.row, inter.col, jac, strict=True)
             if s >= cfg.threshold}
    exact = dict(zip(zip(inter.row.tolist(), inter.col.tolist(), strict=True), jac, strict=True))
    lab.metric("true_near_duplicate_pairs", len(truth))

    prm = np.random.default_rng(lab.seed + 1)
    a = prm.integers(1, PRIME, size=cfg.num_perm, dtype=np.uint64)
    b = prm.integers(0, PRIME, size=cfg.num_perm, dtype=np.uint64)
    sig = None
    with lab.guard("minhash_signature runs"):
        sig = np.stack([minhash_signature(s, a, b, PRIME) for s in sets])  # (N, P)
        direct = [[min((int(ai) * int(x) + int(bi)) % PRIME for x in sets[d])
                   for ai, bi in zip(a[:16], b[:16], strict=True)] for d in range(40)]
        lab.check_equal("signature = min over shingles of (a x + b) mod p (40 docs, exact)",
                        sig[:40, :16].tolist(), direct, hint="one hash (a[i], b[i]) per "
                        "signature entry, the minimum over all shingles")
        pairs = [(s, c) for s, c, _ in planted]
        est = np.array([(sig[i] == sig[j]).mean() for i, j in pairs])
        true = np.array([exact.get((i, j), 0.0) for i, j in pairs])
        err = np.abs(est - true)
        sigma = np.sqrt(true * (1 - true) / cfg.num_perm) + 1.0 / cfg.num_perm
        lab.metric("minhash_mean_abs_error", err.mean())
        lab.check_le("MinHash mean |estimate - exact Jaccard| (planted pairs)", float(err.mean()),
                     0.045, f"1/sqrt(P) = {cfg.num_perm ** -0.5:.3f}")
        lab.check_ge("share of pairs within 3 sigma of exact Jaccard",
                     float((err <= 3 * sigma).mean()), 0.95)

    lab.section("LSH banding -> candidates -> verified near-duplicates")
    found: set = set()
    with lab.guard("lsh_candidates runs"):
        if sig is None:
            raise RuntimeError("no signatures (minhash_signature failed)")
        cands = lsh_candidates(sig, cfg.bands)
        sel = np.array(sorted({i for p in planted[:150] for i in p[:2]}))  # docs with twins
        r, m = cfg.num_perm // cfg.bands, len(sel)  # oracle: compare every pair's bands
        same = (sig[sel][:, None] == sig[sel][None, :]).reshape(m, m, cfg.bands, r)
        ii, jj = np.nonzero(np.triu(same.all(-1).any(-1), k=1))
        inside = set(sel.tolist())
        lab.check_equal(f"candidates = every pair i < j agreeing on a whole band ({m} docs)",
                        sorted(p for p in cands if p[0] in inside and p[1] in inside),
                        sorted(zip(sel[ii].tolist(), sel[jj].tolist(), strict=True)),
                        hint="band k is columns k*r .. (k+1)*r - 1 of the signatures")
        found = {(i, j) for i, j in cands if (sig[i] == sig[j]).mean() >= cfg.threshold}
        planted_true = {(s, c) for s, c, _ in planted if exact.get((s, c), 0) >= cfg.threshold}
        recall = len(found & planted_true) / max(1, len(planted_true))
        precision = len(found & truth) / max(1, len(found))
        r = cfg.num_perm // cfg.bands
        pj = np.array([exact.get((i, j), 0.0) for i, j, _ in planted])
        p_theory = 1 - (1 - pj**r) ** cfg.bands  # oracle: the banding S-curve
        hits = sum((i, j) in cands for i, j, _ in planted)
        sd = float(np.sqrt((p_theory * (1 - p_theory)).sum()))
        lab.check_le("planted pairs that became candidates vs 1-(1-s^r)^b (|z|)",
                     abs(hits - p_theory.sum()) / max(sd, 1.0), 4.0,
                     f"{hits} measured vs {p_theory.sum():.1f} expected")
        lab.metric("candidate_pairs", len(cands))
        lab.metric("all_pairs", n * (n - 1) / 2)
        lab.metric("recall_vs_brute_force", len(found & truth) / max(1, len(truth)))
        lab.check_ge("recall on planted near-duplicates (Jaccard >= 0.5)", recall, 0.9)
        lab.check_ge("precision vs brute-force Jaccard", precision, 0.9)
        parent = list(range(n))  # keep one document per connected group of duplicates

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in found:
            parent[root(j)] = root(i)
        kept = len({root(i) for i in range(n)})
        lab.metric("documents_after_dedup", kept)

    lab.section("sequence packing")
    index = {w: k + 2 for k, w in enumerate(vocab)}  # 0 = pad, 1 = eos
    docs = [[index[w] for w in texts[i].split()] for i in range(lab.pick(400, n))]
    with lab.guard("pack_sequences runs"):
        tokens, doc_ids, positions = (np.asarray(v) for v in
                                      pack_sequences(docs, cfg.block, eos=1, pad=0))
        flat = tokens.reshape(-1)
        stream = list(chain.from_iterable(d + [1] for d in docs))  # oracle
        lab.check_equal("shape = (ceil(tokens / block), block), the last block padded",
                        tokens.shape, (-(-len(list(chain.from_iterable(d + [1] for d in docs)))
                                       // cfg.block), cfg.block))
        lab.check_equal("no token lost or reordered (packed minus padding = stream)",
                        flat[: len(stream)].tolist() == stream and not flat[len(stream):].any(),
                        True)
        ref_pos = list(chain.from_iterable(range(len(d) + 1) for d in docs))
        ref_ids = list(chain.from_iterable([k] * (len(d) + 1) for k, d in enumerate(docs)))
        lab.check_equal("positions restart at every document",
                        positions.reshape(-1)[: len(stream)].tolist() == ref_pos, True)
        lab.check_equal("doc ids mark each token's document (-1 = padding)",
                        doc_ids.reshape(-1).tolist() == ref_ids + [-1] * (flat.size - len(stream)),
                        True)
        naive = len(docs) * max(len(d) + 1 for d in docs)  # one padded row per document
        lab.metric("packing_efficiency", len(stream) / flat.size)
        lab.metric("pad_to_longest_efficiency", len(stream) / naive)

    if sig is not None:
        fig, ax = plt.subplots(figsize=(5.5, 3.6))
        s = np.linspace(0, 1, 200)
        r = cfg.num_perm // cfg.bands
        ax.plot(s, 1 - (1 - s**r) ** cfg.bands, label=f"theory b={cfg.bands}, r={r}")
        pj = np.array([exact.get((i, j), 0.0) for i, j, _ in planted])
        hit = np.array([(i, j) in cands for i, j, _ in planted], dtype=float)
        bins = np.linspace(0, 1, 11)
        which = np.digitize(pj, bins) - 1
        mids = [(bins[k] + bins[k + 1]) / 2 for k in range(10) if (which == k).sum() >= 5]
        rate = [hit[which == k].mean() for k in range(10) if (which == k).sum() >= 5]
        ax.plot(mids, rate, "o", label="planted pairs (measured)")
        ax.axvline(cfg.threshold, color="grey", ls=":", lw=0.8)
        ax.set(xlabel="exact Jaccard of the pair", ylabel="P(candidate)",
               title="LSH banding: the S-curve")
        ax.legend(fontsize=8)
        lab.savefig(fig, "lsh_s_curve.png")
    if found and len(docs):
        lab.conclude(f"Your MinHash + LSH made {len(cands)} candidate pairs out of "
                     f"{n * (n - 1) // 2} and found {len(found & truth) / max(1, len(truth)):.0%} "
                     f"of the {len(truth)} near-duplicate pairs that brute force finds; your "
                     f"packing kept every token and filled "
                     f"{len(stream) / flat.size:.1%} of each block.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("llm-data-pipelines", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
