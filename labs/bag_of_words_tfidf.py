"""Bag of words and TF-IDF: documents as sparse count vectors, and retrieval by cosine.

A bag of words forgets word order and keeps counts: document d becomes a row of a
(n_docs, n_vocab) matrix. Raw counts are dominated by frequent words ("the", "of"), so
TF-IDF multiplies each term frequency by an inverse document frequency,
idf(t) = ln((1 + n) / (1 + df(t))) + 1 (smoothed, as scikit-learn does), optionally uses a
sublinear tf = 1 + ln(tf), and normalises each row. Retrieval ranks documents by the cosine
between the query's vector and each document's vector. This lab builds the count matrix,
TF-IDF (fit on a corpus, applied to queries) and cosine search by hand, checks them
against scikit-learn's CountVectorizer / TfidfVectorizer (to 1e-9, every setting of
smooth_idf, sublinear_tf and norm) and cosine_similarity, then measures how well each
representation finds the news article a short query was drawn from (gensim's Lee corpus).

$ python labs/bag_of_words_tfidf.py --quick
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("bag_of_words", "tfidf", "search")

TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


@dataclass
class Config:
    n_docs: int = 300  # Lee background news documents (gensim test data)
    n_queries: int = 300  # planted queries: random word windows cut from a document
    query_len: int = 8  # tokens per query
    tol: float = 1e-9  # max relative error vs scikit-learn


def analyze(text: str) -> list[str]:
    """Lowercase and keep runs of 2+ word characters (scikit-learn's default analyzer)."""
    return TOKEN_RE.findall(text.lower())


def bag_of_words(docs: list[list[str]], vocab: list[str] | None = None
                 ) -> tuple[list[str], np.ndarray]:
    """Count matrix of tokenized documents.

    ``vocab`` defaults to the sorted set of all tokens in ``docs``; tokens not in ``vocab``
    are ignored. Returns ``(vocab, counts)`` with ``counts`` of shape (n_docs, len(vocab)),
    ``counts[i, j]`` = how often ``vocab[j]`` occurs in ``docs[i]``.
    """
    if vocab is None:
        vocab = sorted({t for doc in docs for t in doc})
    index = {t: j for j, t in enumerate(vocab)}
    counts = np.zeros((len(docs), len(vocab)), dtype=np.int64)
    for i, doc in enumerate(docs):
        for t in doc:
            j = index.get(t)
            if j is not None:
                counts[i, j] += 1
    return vocab, counts


def tfidf(counts: np.ndarray, fit_counts: np.ndarray | None = None, smooth_idf: bool = True,
          sublinear_tf: bool = False, norm: str | None = "l2") -> np.ndarray:
    """TF-IDF weights of ``counts`` (n, V) with idf learned from ``fit_counts`` (default
    ``counts``): df(t) = number of rows of ``fit_counts`` containing t, n its row count;
    idf = ln((1 + n) / (1 + df)) + 1 if ``smooth_idf`` else ln(n / df) + 1; tf = counts, or
    1 + ln(counts) where counts > 0 if ``sublinear_tf``; rows scaled to unit ``norm``
    ("l2", "l1" or None); all-zero rows stay zero. Float64."""
    fit = counts if fit_counts is None else fit_counts
    n, df = fit.shape[0], (fit > 0).sum(axis=0).astype(np.float64)  # (V,)
    s = float(smooth_idf)
    idf = np.log((n + s) / (df + s)) + 1.0  # (V,)
    tf = counts.astype(np.float64)
    if sublinear_tf:
        tf = np.where(tf > 0, 1.0 + np.log(np.where(tf > 0, tf, 1.0)), 0.0)
    w = tf * idf  # (n, V)
    if norm is not None:
        size = np.abs(w).sum(axis=1) if norm == "l1" else np.sqrt((w * w).sum(axis=1))
        w = w / np.where(size > 0, size, 1.0)[:, None]
    return w


def search(queries: np.ndarray, docs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` documents for each query by cosine similarity (zero vectors score 0).

    ``queries`` (Q, V), ``docs`` (N, V). Returns ``(indices, scores)``, both (Q, k), best
    first; ties go to the lower document index.
    """
    qn = np.linalg.norm(queries, axis=1, keepdims=True)
    dn = np.linalg.norm(docs, axis=1, keepdims=True)
    sims = (queries / np.where(qn > 0, qn, 1)) @ (docs / np.where(dn > 0, dn, 1)).T  # (Q, N)
    idx = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return idx, np.take_along_axis(sims, idx, axis=1)


def lee_corpus(n: int) -> list[str]:
    """The first ``n`` lines of gensim's Lee background corpus (news text, one doc a line)."""
    spec = importlib.util.find_spec("gensim")  # locate the wheel without importing gensim
    root = Path(spec.submodule_search_locations[0])
    path = root / "test" / "test_data" / "lee_background.cor"
    return path.read_text(encoding="utf-8").splitlines()[:n]


def _ident(d):
    return d  # documents are already token lists


# Setup no exercise touches is computed once per process (kit.cached where the kit has it).
@getattr(kit, "cached", functools.cache)
def oracles(n_docs: int) -> tuple:
    """The corpus, scikit-learn's count matrices and its TF-IDF for all 12 settings."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    texts = lee_corpus(n_docs)
    docs = [analyze(t) for t in texts]
    train, held = docs[: n_docs * 4 // 5], docs[n_docs * 4 // 5:]  # fit / apply split
    # reference count matrices, so each exercise below is checked on its own
    cv = CountVectorizer(analyzer=_ident).fit(train)
    cv_all = CountVectorizer(analyzer=_ident).fit(docs)
    ref = {}
    for smooth, sub, norm in itertools.product((True, False), (False, True), ("l2", "l1", None)):
        tv = TfidfVectorizer(analyzer=_ident, smooth_idf=smooth, sublinear_tf=sub,
                             norm=norm).fit(train)
        ref[smooth, sub, norm] = np.vstack([tv.transform(train).toarray(),
                                            tv.transform(held).toarray()])
    full = TfidfVectorizer().fit(texts)  # scikit-learn's default pipeline on raw text
    return (texts, docs, train, held, cv, cv_all, cv.transform(train).toarray(),
            cv.transform(held).toarray(), cv_all.transform(docs).toarray(), ref,
            full.transform(texts).toarray())


def body(lab: kit.Lab) -> None:
    from sklearn.metrics.pairwise import cosine_similarity

    cfg = Config(n_docs=lab.pick(300, 300), n_queries=lab.pick(150, 300))
    rng = np.random.default_rng(lab.seed)
    (texts, docs, train, held, cv, cv_all, counts, held_counts, c_all, tfidf_ref,
     full_ref) = oracles(cfg.n_docs)

    lab.section("bag of words vs CountVectorizer")
    with lab.guard("bag_of_words runs"):
        vocab, mine = bag_of_words(train)
        ref = list(cv.get_feature_names_out())
        n = min(len(vocab), len(ref))
        first = next((i for i in range(n) if vocab[i] != ref[i]),
                     None if len(vocab) == len(ref) else n)
        where = "" if first is None else slice(first, first + 3)
        lab.check("vocabulary = CountVectorizer's (sorted)", first is None,
                  f"{len(ref)} types", f"{len(vocab)} types", message="" if first is None else
                  f"first difference at {first}: {ref[where]} vs {list(vocab)[where]}")
        same = np.shape(mine) == counts.shape and np.array_equal(mine, counts)
        lab.check("counts = CountVectorizer exactly", same, "equal",
                  "equal" if same else f"differ (shape {np.shape(mine)})")
        _, mine_held = bag_of_words(held, vocab)  # unseen words are dropped
        same = np.shape(mine_held) == held_counts.shape and np.array_equal(mine_held, held_counts)
        lab.check("unseen documents use the fitted vocabulary", same, "equal",
                  "equal" if same else "differ")
        lab.metric("vocabulary_size", len(vocab), "types")
        lab.metric("matrix_density", float((counts > 0).mean()))

    lab.section(f"TF-IDF vs TfidfVectorizer (rtol {cfg.tol:g})")
    with lab.guard("tfidf runs"):
        for smooth, sub, norm in itertools.product((True, False), (False, True),
                                                   ("l2", "l1", None)):
            args = dict(smooth_idf=smooth, sublinear_tf=sub, norm=norm)
            mine = np.vstack([tfidf(counts, **args), tfidf(held_counts, counts, **args)])
            ref = tfidf_ref[smooth, sub, norm]
            lab.check_close(f"fit + held-out rows: smooth={smooth} sublinear={sub} norm={norm}",
                            mine, ref, rtol=cfg.tol, hint="idf from fit_counts; the +1 stays "
                            "even without smoothing")
        lab.check_close("raw text, all defaults (analyzer + TF-IDF)", tfidf(c_all),
                        full_ref, rtol=cfg.tol)

    lab.section("cosine search vs sklearn cosine_similarity")
    with lab.guard("search runs"):
        qdocs = [list(rng.choice(d, size=cfg.query_len)) for d in docs]  # noisy queries
        q_counts = cv_all.transform(qdocs).toarray()
        for name, Q, D in (("counts", q_counts, c_all),
                           ("tf-idf, norm=None", tfidf(q_counts, c_all, norm=None),
                            tfidf(c_all, norm=None))):
            idx, scores = search(Q, D, 5)
            sims = cosine_similarity(Q, D)  # (Q, N), zero rows give 0
            best = -np.sort(-sims, axis=1)[:, :5]
            lab.check_close(f"top-5 scores = cosine_similarity's ({name})", scores, best,
                            rtol=1e-12, atol=1e-12)
            lab.check_close(f"returned indices carry those scores ({name})",
                            np.take_along_axis(sims, idx, axis=1), best, rtol=1e-12, atol=1e-12)
        D = np.array([[1, 0, 2], [0, 3, 0], [1, 0, 2], [0, 0, 0], [1, 0, 2]], dtype=float)
        Q = np.array([[1, 0, 2], [0, 0, 0], [0, 1, 0]], dtype=float)  # docs 0, 2, 4 equal
        idx, scores = search(Q, D, 4)
        lab.check_equal("ties go to the lower document index; a zero vector scores 0",
                        (np.asarray(idx).tolist(), np.round(np.asarray(scores), 12).tolist()),
                        ([[0, 2, 4, 1], [0, 1, 2, 3], [1, 0, 2, 3]],
                         [[1.0, 1.0, 1.0, 0.0], [0.0] * 4, [1.0, 0.0, 0.0, 0.0]]),
                        hint="a stable sort of -similarity keeps equal scores in index order")

    lab.section("retrieval: find the article a short query was cut from")
    with lab.guard("retrieval runs"):
        which = rng.choice(len(docs), size=cfg.n_queries, replace=False)
        queries = []
        for i in which:  # a contiguous window of query_len tokens, as a user might quote
            s = rng.integers(0, max(len(docs[i]) - cfg.query_len, 0) + 1)
            queries.append(docs[i][s:s + cfg.query_len])
        qc = cv_all.transform(queries).toarray()
        ks = np.arange(1, 11)
        recall = {}
        for name, Q, D in (("bag of words (counts)", qc, c_all),
                           ("TF-IDF", tfidf(qc, c_all), tfidf(c_all)),
                           ("TF-IDF sublinear", tfidf(qc, c_all, sublinear_tf=True),
                            tfidf(c_all, sublinear_tf=True))):
            idx, _ = search(Q, D, int(ks[-1]))
            hit = idx == which[:, None]  # (Q, 10)
            recall[name] = np.array([hit[:, :k].any(axis=1).mean() for k in ks])
            lab.metric(f"recall@1 {name}", recall[name][0])
        lab.check_ge("TF-IDF recall@1", recall["TF-IDF"][0], 0.75,
                     f"{cfg.query_len}-token windows, {len(docs)} articles")
        lab.check_ge("TF-IDF beats raw counts at recall@1 by 0.1",
                     recall["TF-IDF"][0] - recall["bag of words (counts)"][0], 0.1,
                     "idf down-weights words every article uses")
        fig, ax = plt.subplots(figsize=(5.6, 3.4))
        for name, r in recall.items():
            ax.plot(ks, r, marker="o", label=name)
        ax.set(xlabel="k", ylabel="recall@k", ylim=(0, 1.02),
               title=f"finding the source of a {cfg.query_len}-word quote")
        ax.legend(loc="lower right")
        lab.savefig(fig, "retrieval_recall.png")
        lab.conclude(f"Your TF-IDF matched scikit-learn to {cfg.tol:g} in all 12 settings, and "
                     f"it found the article an {cfg.query_len}-word quote came from "
                     f"{recall['TF-IDF'][0]:.0%} of the time at rank 1, against "
                     f"{recall['bag of words (counts)'][0]:.0%} for raw counts.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("bag-of-words-tfidf", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
