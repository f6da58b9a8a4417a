"""Byte-level BPE: the tokenizer of GPT-2, Llama 3 and most LLMs, trained and run by hand.

A language model reads integers, not text. Byte-level byte-pair encoding (BPE; Sennrich et
al. 2016, GPT-2 2019) turns any string into ids with no unknown token: write the text as
UTF-8 bytes (256 base tokens), then learn merges. Training first splits the text into
pre-tokens with GPT-2's regex (words with their leading space, numbers, punctuation runs,
whitespace), so no token ever spans two words; then, again and again, it counts every
adjacent pair of tokens inside the pre-tokens (weighted by how often each pre-token occurs)
and merges the most frequent pair into a new token. The ordered list of merges *is* the
tokenizer. Encoding a new text replays them: inside each pre-token, merge the adjacent pair
that was learnt earliest, until no learnt pair is left. Decoding concatenates the tokens'
bytes and reads them as UTF-8, so the round trip is exact for any unicode text; ids that
cut a character in half decode to U+FFFD (the replacement character).

Ties decide which merges you get. Hugging Face's trainer numbers the 256 bytes in the order
of `base_vocab()` (their printable stand-in characters sorted by code point: ``!`` is id
0, the space byte is id 220), gives each new token the next id, and among equally frequent
pairs merges the one with the smallest (left id, right id). This lab trains your BPE on
news text (gensim's Lee corpus) and checks every merge against `tokenizers`' BpeTrainer
with the same settings, every encoding against the tokenizer it trained, and the decode
round trip on unicode text (accents, CJK, emoji, Greek, Cyrillic, Hebrew, Arabic).

$ python labs/tokenization_bpe.py --quick
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import regex

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("train_bpe", "encode", "decode")

# GPT-2's pre-tokenizer pattern, the one Hugging Face's ByteLevel pre-tokenizer uses
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
UNICODE = [  # round-trip texts: accents, CJK, emoji with joiners, combining marks, RTL, tabs
    "Año nuevo: ¡café, jalapeño y crème brûlée!",
    "東京で寿司を食べた。今日は晴れ",
    "Family: 👩‍👩‍👧‍👦, flags 🇪🇸🇯🇵, rocket 🚀 x3",
    "e\u0301 (e + combining acute) vs \u00e9; Ελληνικά, Кириллица, עברית, العربية",
    "tabs\tand  two spaces\n\nnew lines \r\n end ",
]


@dataclass
class Config:
    n_docs: int = 100  # Lee news articles to train on (one per line)
    num_merges: int = 500  # merges to learn: vocabulary = 256 bytes + merges
    n_heldout: int = 20  # later articles to encode (never seen in training)


def train_bpe(word_counts: dict[bytes, int], num_merges: int) -> list[tuple[bytes, bytes]]:
    """Learn byte-level BPE merges from pre-token counts, exactly as Hugging Face does.

    ``word_counts`` maps each pre-token (bytes, from `pretokenize`) to its count in the
    corpus. Start with every pre-token as a sequence of single-byte tokens, numbered as in
    `base_vocab()`. Each step: count every adjacent pair of tokens inside each pre-token,
    weighted by that pre-token's count (a pair that occurs twice in one pre-token counts
    twice: ``aaa`` has two (a, a) pairs), and merge the most frequent pair everywhere it
    occurs (left to right, so ``aaa`` becomes ``aa a``). The merged token gets the next
    id (256, 257, ...). Ties: the pair with the smallest (left id, right id) wins. Stop
    after ``num_merges`` merges or when no pre-token has two tokens left.

    Returns the merges in order, each as (left bytes, right bytes).
    """
    vocab = base_vocab()
    ids = {tok: i for i, tok in enumerate(vocab)}
    words = [[ids[bytes([b])] for b in w] for w in word_counts]  # each pre-token as ids
    counts = list(word_counts.values())
    merges: list[tuple[bytes, bytes]] = []
    for _ in range(num_merges):
        pairs: Counter = Counter()
        for w, c in zip(words, counts, strict=True):
            for pair in zip(w, w[1:], strict=False):
                pairs[pair] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))  # most frequent, then smallest ids
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


def encode(text: str, merges: list[tuple[bytes, bytes]]) -> list[int]:
    """Token ids of ``text`` under the BPE given by ``merges``.

    Split ``text`` with `pretokenize`; write each pre-token as single bytes, then
    repeatedly merge the adjacent pair whose merge comes earliest in ``merges`` (its rank)
    until no adjacent pair is in ``merges``. A token's id is its index in
    ``base_vocab() + [left + right for left, right in merges]``. Returns the ids of all
    pre-tokens in order.
    """
    vocab = base_vocab() + [a + b for a, b in merges]
    ids = {tok: i for i, tok in enumerate(vocab)}
    rank = {pair: r for r, pair in enumerate(merges)}
    out: list[int] = []
    for word in pretokenize(text):
        parts = [bytes([b]) for b in word]
        while len(parts) > 1:
            pairs = [(rank.get(p, len(rank)), i)
                     for i, p in enumerate(zip(parts, parts[1:], strict=False))]
            r, i = min(pairs)  # earliest-learnt pair, leftmost on a tie
            if r == len(rank):
                break
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
        out.extend(ids[p] for p in parts)
    return out


def decode(ids: list[int], merges: list[tuple[bytes, bytes]]) -> str:
    """The text of token ``ids`` (ids as in `encode`).

    Join the tokens' bytes and decode them once as UTF-8; bytes that are not valid UTF-8
    (ids that cut a character) become U+FFFD, one per maximal invalid sequence, as
    Python's ``errors="replace"`` and Hugging Face's ByteLevel decoder do.
    """
    vocab = base_vocab() + [a + b for a, b in merges]
    return b"".join(vocab[i] for i in ids).decode("utf-8", errors="replace")


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's table: each byte as a printable character (the space byte becomes 'Ġ')."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
            *range(ord("®"), ord("ÿ") + 1)]
    table, extra = {b: chr(b) for b in keep}, 0
    for b in range(256):
        if b not in table:
            table[b], extra = chr(256 + extra), extra + 1
    return table


def base_vocab() -> list[bytes]:
    """The 256 single bytes in Hugging Face's id order (their characters' code points)."""
    table = bytes_to_unicode()
    return [bytes([b]) for b in sorted(range(256), key=lambda b: ord(table[b]))]


def pretokenize(text: str) -> list[bytes]:
    """GPT-2's pre-tokens of ``text`` as UTF-8 bytes: BPE never merges across them."""
    return [m.encode("utf-8") for m in regex.findall(GPT2_PATTERN, text)]


@kit.cached
def lee_docs() -> tuple[str, ...]:
    """gensim's Lee background corpus (news text, one article a line), from its wheel."""
    spec = importlib.util.find_spec("gensim")  # locate the wheel without importing gensim
    if spec is None or spec.origin is None:
        raise FileNotFoundError("gensim is not installed: pip install gensim")
    path = Path(spec.origin).parent / "test" / "test_data" / "lee_background.cor"
    return tuple(path.read_text(encoding="utf-8").splitlines())


@kit.cached
def hf_bpe(text: str, num_merges: int):
    """Hugging Face's BPE trained on ``text``: (tokenizer, merges as bytes)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=256 + num_merges, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([text], trainer=trainer)
    back = {c: b for b, c in bytes_to_unicode().items()}
    raw = json.loads(tok.to_str())["model"]["merges"]
    merges = [tuple(bytes(back[ch] for ch in part) for part in
                    (m if isinstance(m, list) else m.split(" "))) for m in raw]
    return tok, merges


def body(lab: kit.Lab) -> None:
    cfg = Config(n_docs=lab.pick(15, 100), num_merges=lab.pick(150, 500),
                 n_heldout=lab.pick(6, 20))
    docs = lee_docs()
    start = lab.seed * 7 % (len(docs) - cfg.n_docs - cfg.n_heldout)  # the seed picks a slice
    train_text = "\n".join(docs[start : start + cfg.n_docs])
    heldout = "\n".join(docs[start + cfg.n_docs : start + cfg.n_docs + cfg.n_heldout])
    hf_tok, hf_merges = hf_bpe(train_text, cfg.num_merges)

    lab.section("the pre-tokenizer and the byte alphabet (shown)")
    with lab.shown():
        back = {c: b for b, c in bytes_to_unicode().items()}
        hf_pre = [bytes(back[ch] for ch in s)
                  for s, _ in hf_tok.pre_tokenizer.pre_tokenize_str(heldout)]
        lab.check_equal("pretokenize = tokenizers' ByteLevel pre-tokenizer",
                        pretokenize(heldout) == hf_pre, True)
        vocab = hf_tok.get_vocab()
        lab.check_equal("base_vocab() = the trainer's byte ids",
                        [vocab[bytes_to_unicode()[t[0]]] for t in base_vocab()],
                        list(range(256)))
    word_counts = Counter(pretokenize(train_text))
    lab.metric("distinct_pretokens", len(word_counts))

    lab.section(f"training {cfg.num_merges} merges vs tokenizers' BpeTrainer")
    merges: list = []
    with lab.guard("train_bpe runs"):
        merges = list(train_bpe(dict(word_counts), cfg.num_merges))
        first_diff = next((i for i, (a, b) in enumerate(zip(merges, hf_merges, strict=False))
                           if a != b), min(len(merges), len(hf_merges)))
        lab.check_equal("merges = BpeTrainer's merges", merges == hf_merges, True,
                        f"{len(merges)} vs {len(hf_merges)} merges; first difference at "
                        f"merge {first_diff}", hint="weight pairs by the pre-token's count; "
                        "ties go to the smallest (left id, right id)")
        # exact toy case: 'aaaa' holds three (a, a) pairs, which beat (b, c) x 2; then
        # (aa, aa), (x, y) and (y, x) tie at 1: byte ids (x < y < 256) come first
        # (8 merges asked, 5 possible: then every pre-token is one token and training stops)
        small = train_bpe({b"aaaa": 1, b"bc": 2, b"yx": 1, b"xy": 1}, 8)
        lab.check_equal("toy counts: overlapping pairs, ties by id, stop",
                        list(small), [(b"a", b"a"), (b"b", b"c"), (b"x", b"y"),
                                      (b"y", b"x"), (b"aa", b"aa")],
                        hint="'aaaa' holds three (a, a) pairs; merge left to right")

    lab.section("encoding held-out text with the trainer's merges")
    curve: list[tuple[int, float]] = []
    with lab.guard("encode runs"):
        texts = [heldout, *UNICODE]
        mine = [list(encode(t, hf_merges)) for t in texts]
        theirs = [hf_tok.encode(t).ids for t in texts]
        lab.check_equal("encode = tokenizers' encode (news + 5 unicode texts)", mine, theirs,
                        hint="merge the pair with the lowest rank first, not the leftmost")
        lab.check_equal("rank beats position: 'abc' with merges [bc, ab]",
                        list(encode("abc", [(b"b", b"c"), (b"a", b"b")])),
                        [base_vocab().index(b"a"), 256],
                        hint="apply the earliest-learnt pair first, wherever it is")
        n_bytes = len(heldout.encode("utf-8"))
        for k in sorted({0, *range(0, cfg.num_merges + 1, max(cfg.num_merges // 6, 1)),
                         cfg.num_merges}):
            curve.append((k, n_bytes / max(len(encode(heldout, hf_merges[:k])), 1)))
        lab.metric("bytes_per_token", curve[-1][1])

    lab.section("decoding")
    with lab.guard("decode runs"):
        texts = [heldout, *UNICODE]
        back_text = [decode(hf_tok.encode(t).ids, hf_merges) for t in texts]
        lab.check_equal("decode(encode(x)) == x exactly (news + 5 unicode texts)", back_text,
                        texts, hint="join all the bytes first, then decode UTF-8 once")
        cut = hf_tok.encode(UNICODE[2]).ids  # emoji split across several tokens
        partial = [cut[:n] for n in range(1, len(cut) + 1)] + [cut[:2] + cut[3:]]
        lab.check_equal("cut characters decode to U+FFFD as tokenizers' decode does",
                        [decode(p, hf_merges) for p in partial],
                        [hf_tok.decode(p) for p in partial],
                        hint="errors='replace' marks each broken sequence with U+FFFD")

    if curve:
        fig, ax = plt.subplots(figsize=(5.5, 3.4))
        ax.plot(*zip(*curve, strict=True), "o-")
        ax.set(xlabel="merges learnt", ylabel="bytes per token (held-out news)",
               title="each merge shortens the text")
        lab.savefig(fig, "bpe_compression.png")
    if merges:
        lab.table("first_merges", ["rank", "left", "right", "merged"],
                  [[i, repr(a), repr(b), repr(a + b)] for i, (a, b) in enumerate(merges[:12])],
                  title="the first merges your trainer learnt")
    if merges and curve:
        lab.conclude(f"Your byte-level BPE learnt the same {len(merges)} merges as Hugging "
                     f"Face's BpeTrainer, encodes held-out news at {curve[-1][1]:.2f} bytes "
                     f"per token (1.00 with bytes alone), and decodes unicode text in seven "
                     f"scripts, emoji included, back exactly.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("tokenization-bpe", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
