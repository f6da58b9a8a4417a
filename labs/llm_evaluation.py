"""LLM evaluation: multiple-choice scoring by log-likelihood, and benchmark contamination.

Most LLM benchmarks (MMLU, HellaSwag, ARC) are multiple choice, and lm-evaluation-harness,
the tool behind the Open LLM Leaderboard, scores them without generating a word: for each
choice it computes log P(" " + choice | prompt), the sum of the log-probabilities of the
choice's tokens, and the model "answers" with the most likely choice (acc). Long choices
have more tokens and so lower sums, which biases acc toward short answers; acc_norm
divides each log-likelihood by the choice's length in characters first. The details
matter and are easy to get wrong: a space at the end of the prompt belongs to the
continuation, the continuation's tokens are what is left of the whole text's encoding
after the prompt's tokens, and the logits that predict token t sit one position earlier.

A score means little if the test items were in the training data. Contamination checks
look for shared word n-grams after normalisation (lm-eval's decontamination Janitor:
lowercase, delete punctuation, split on whitespace; GPT-3 used n = 13). Here a tiny GPT
is trained in-lab on a shipped corpus into which half the items of a shipped toy task
leaked (some verbatim, some re-cased and re-punctuated). You write the scorer, checked
against lm-eval's own HFLM and task code, and the n-gram check, checked against its
Janitor, then see that the leaked items score far above the clean ones.

$ python labs/llm_evaluation.py --quick
"""

from __future__ import annotations

import contextlib
import io
import json
import string
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("continuation_logprob", "multiple_choice_scores", "contaminated")
DATA = Path(__file__).resolve().parent / "data" / "llm_evaluation"


@dataclass(frozen=True)
class Config:
    steps: int = 600  # AdamW steps of the tiny GPT on the shipped corpus
    n_embd: int = 96  # model width (2 layers, 4 heads)
    batch: int = 16  # windows of 32 tokens per step
    lr: float = 6e-3  # peak learning rate, decayed linearly to 0
    n_items: int = 40  # toy-task items to score (4 choices each)
    n_checked: int = 40  # of which your continuation_logprob scores the first n_checked
    ngram: int = 8  # n of the contamination check the split uses (items are 8-14 words)


def continuation_logprob(model, tokenizer, context: str, continuation: str) -> tuple[float, bool]:
    """log P(continuation | context) under a causal LM, as lm-evaluation-harness computes it.

    First move any trailing whitespace of ``context`` to the front of ``continuation``.
    Encode the whole text ``context + continuation`` and ``context`` alone with
    ``tokenizer.encode(..., add_special_tokens=False)``; the continuation's tokens are the
    whole's tokens after the first ``len(context ids)``. Run ``model`` (a Hugging Face
    causal LM; ``.logits`` has shape (1, T, vocab)) once on the whole token sequence without
    its last token; token t's log-probability is the log-softmax of the logits one
    position before it. Returns (the sum over the continuation's tokens as a float, True
    iff every continuation token is the argmax at its position: greedy decoding would
    produce it). ``context`` is never empty.
    """
    n_space = len(context) - len(context.rstrip())
    if n_space:
        context, continuation = context[:-n_space], context[-n_space:] + continuation
    whole = tokenizer.encode(context + continuation, add_special_tokens=False)
    n_ctx = len(tokenizer.encode(context, add_special_tokens=False))
    cont = torch.tensor(whole[n_ctx:])
    with torch.no_grad():
        logits = model(torch.tensor([whole[:-1]])).logits[0]  # (T - 1, vocab)
    logp = F.log_softmax(logits[-len(cont):].double(), dim=-1)  # rows predicting cont
    greedy = bool((logp.argmax(-1) == cont).all())
    return float(logp.gather(1, cont[:, None]).sum()), greedy


def multiple_choice_scores(lls: list[float], choices: list[str], gold: int) -> dict[str, float]:
    """acc and acc_norm of one multiple-choice item, as lm-evaluation-harness defines them.

    ``lls[i]`` is log P(" " + choices[i] | prompt). acc is 1.0 if the choice with the
    largest log-likelihood is ``gold``, else 0.0; acc_norm does the same with each
    log-likelihood divided by ``len(choices[i])``, the choice's length in characters
    (without the leading space). Ties go to the first choice (as ``np.argmax``). Returns
    ``{"acc": ..., "acc_norm": ...}``.
    """
    lls_arr = np.asarray(lls, dtype=np.float64)
    lengths = np.array([len(c) for c in choices], dtype=np.float64)
    return {"acc": float(np.argmax(lls_arr) == gold),
            "acc_norm": float(np.argmax(lls_arr / lengths) == gold)}


def contaminated(test_texts: list[str], train_texts: list[str], n: int = 13) -> list[bool]:
    """For each test text, whether it shares a word n-gram with the training texts.

    Normalise every text as lm-eval's decontamination Janitor does: ASCII letters to
    lowercase and every character of ``string.punctuation`` deleted; then split on
    whitespace. The n-grams of a text are its runs of ``n`` consecutive words (a text
    with fewer than ``n`` words has none); n-grams never span two training texts. Returns
    one bool per test text: True iff one of its n-grams is an n-gram of some training text.
    """
    table = str.maketrans(string.ascii_uppercase, string.ascii_lowercase, string.punctuation)

    def grams(text: str) -> set[tuple[str, ...]]:
        words = text.translate(table).split()
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    seen = set().union(*(grams(t) for t in train_texts))
    return [bool(grams(t) & seen) for t in test_texts]


def prompt(item: dict) -> str:
    """The task's prompt for an item (lm-eval's doc_to_text); choices follow a space."""
    return f"Question: {item['question']}\nAnswer:"


@kit.cached
def load_data() -> tuple[tuple[dict, ...], tuple[str, ...]]:
    """The shipped toy task (40 items) and training corpus (blank-line separated texts)."""
    items = tuple(json.loads(line) for line in (DATA / "task.jsonl").read_text().splitlines())
    train = tuple(t.strip() for t in (DATA / "train.txt").read_text().split("\n\n") if t.strip())
    return items, train


@kit.cached
def tiny_lm(steps: int, n_embd: int, batch: int, lr: float, seed: int):
    """A byte-level BPE tokenizer and a 2-layer GPT-2 trained on the shipped corpus."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    items, train = load_data()
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    words = [prompt(it) + " " + c for it in items for c in it["choices"]]
    bpe.train_from_iterator([*train, *words], trainers.BpeTrainer(
        vocab_size=600, special_tokens=["<|endoftext|>"], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>",
                                  pad_token="<|endoftext|>")
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(GPT2Config(
        vocab_size=len(tok), n_positions=64, n_embd=n_embd, n_layer=2, n_head=4,
        bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id,
        attn_implementation="eager"))
    stream = torch.tensor([i for t in train for i in [tok.eos_token_id, *tok.encode(t)]])
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1 - i / steps)  # linear decay
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(steps):
        starts = torch.randint(0, len(stream) - 33, (batch,), generator=gen)
        x = torch.stack([stream[s : s + 33] for s in starts])  # (batch, 33)
        loss = model(x, labels=x).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return model.eval(), tok, tuple(losses)


@kit.cached
def harness(cfg: Config, seed: int):
    """lm-eval's own answers: HFLM log-likelihoods and the task's per-item acc/acc_norm."""
    import datasets
    from lm_eval.api.instance import Instance
    from lm_eval.api.task import ConfigurableTask
    from lm_eval.models.huggingface import HFLM

    model, tok, _ = tiny_lm(cfg.steps, cfg.n_embd, cfg.batch, cfg.lr, seed)
    items = load_data()[0][: cfg.n_items]
    with contextlib.redirect_stderr(io.StringIO()):  # lm-eval's setup warnings
        lm = HFLM(pretrained=model, tokenizer=tok, batch_size=16, device="cpu")
        task = ConfigurableTask(config={
            "task": "toy_habitats", "test_split": "test", "output_type": "multiple_choice",
            "custom_dataset": lambda **_: datasets.DatasetDict(
                {"test": datasets.Dataset.from_list([dict(it) for it in items])}),
            "doc_to_text": "Question: {{question}}\nAnswer:", "doc_to_choice": "{{choices}}",
            "doc_to_target": "{{gold}}", "target_delimiter": " ",
            "metric_list": [{"metric": "acc"}, {"metric": "acc_norm"}]})
    requests = [task.construct_requests(it, prompt(it)) for it in items]  # (ctx, " " + choice)
    out = lm.loglikelihood([r for reqs in requests for r in reqs], disable_tqdm=True)
    per_item = [out[4 * i : 4 * i + 4] for i in range(len(items))]
    scores = [task.process_results(it, res) for it, res in zip(items, per_item, strict=True)]
    # the same pair with the separating space left on the prompt (lm-eval moves it)
    ctx, cont = prompt(items[0]) + " ", items[0]["choices"][0]
    spaced = lm.loglikelihood([Instance("loglikelihood", items[0], (ctx, cont), 0)],
                              disable_tqdm=True)[0]
    return task, per_item, scores, (ctx, cont, spaced[0])


@kit.cached
def janitor_flags(test_texts: tuple[str, ...], train_texts: tuple[str, ...], n: int) -> list[bool]:
    """lm-eval's decontamination code (Janitor normalisation + word_ngrams) as the oracle."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        from lm_eval.decontamination.janitor import Janitor, word_ngrams  # warns: no C++
    jan = Janitor(ngram_n=n)
    for t in train_texts:
        jan.dirt_ngrams.update(word_ngrams(jan.normalize_string(t), n))
    return [any(g in jan.dirt_ngrams for g in word_ngrams(jan.normalize_string(t), n))
            for t in test_texts]


def body(lab: kit.Lab) -> None:
    cfg = lab.pick(Config(steps=200, n_embd=64, batch=8, lr=1.5e-2, n_checked=12), Config())
    items, train = load_data()
    items = items[: cfg.n_items]
    model, tok, losses = tiny_lm(cfg.steps, cfg.n_embd, cfg.batch, cfg.lr, lab.seed)
    task, oracle_ll, oracle_scores, spaced = harness(cfg, lab.seed)
    lab.metric("final_train_loss", float(np.mean(losses[-20:])))

    lab.section("log-likelihood of each choice vs lm-eval's HFLM")
    mine_ll: list[list[tuple[float, bool]]] = []
    with lab.guard("continuation_logprob runs"):
        mine_ll = [[continuation_logprob(model, tok, prompt(it), " " + c) for c in it["choices"]]
                   for it in items[: cfg.n_checked]]
        oracle_mine = oracle_ll[: cfg.n_checked]
        lab.check_close(f"log P(choice | prompt) = HFLM.loglikelihood ({4 * len(mine_ll)} pairs)",
                        [[x[0] for x in r] for r in mine_ll],
                        [[x[0] for x in r] for r in oracle_mine], rtol=1e-4, atol=1e-4,
                        hint="logits at position i predict token i + 1: shift by one")
        lab.check_equal("is_greedy = HFLM's", [[x[1] for x in r] for r in mine_ll],
                        [[x[1] for x in r] for r in oracle_mine])
        ctx, cont, want = spaced  # "...Answer: " + "choice": the space sits on the prompt
        lab.check_close("a trailing space moves to the continuation",
                        continuation_logprob(model, tok, ctx, cont)[0], want,
                        rtol=1e-4, atol=1e-4,
                        hint="encode context + continuation whole, then split off the context")

    lab.section("acc and acc_norm vs lm-eval's process_results")
    scores: list[dict] = []
    with lab.guard("multiple_choice_scores runs"):
        scores = [multiple_choice_scores([x[0] for x in r], it["choices"], it["gold"])
                  for r, it in zip(oracle_ll, items, strict=True)]
        lab.check_equal("acc, acc_norm per item = the task's process_results",
                        [(s["acc"], s["acc_norm"]) for s in scores],
                        [(s["acc"], s["acc_norm"]) for s in oracle_scores])
        # edge cases: a tie (first wins), and lengths where a counted space flips acc_norm
        edge = [([-4.0, -4.0, -9.0], ["ab", "cd", "efgh"], 1),
                ([-6.0, -2.9, -9.0], ["abcdef", "abc", "x" * 9], 0),
                ([-5.0, -2.0], ["four", "a"], 0)]
        mine_edge = [multiple_choice_scores(*e) for e in edge]
        ref_edge = [task.process_results({"question": "?", "choices": c, "gold": g},
                                         [(x, False) for x in ll]) for ll, c, g in edge]
        lab.check_equal("ties and character lengths as lm-eval",
                        [(s["acc"], s["acc_norm"]) for s in mine_edge],
                        [(s["acc"], s["acc_norm"]) for s in ref_edge],
                        hint="np.argmax keeps the first maximum; len(choice) has no space")

    lab.section("n-gram contamination vs lm-eval's Janitor")
    docs = tuple(f"{prompt(it)} {it['choices'][it['gold']]}" for it in items)
    flags: list[bool] = []
    counts = []
    with lab.guard("contaminated runs"):
        for n in (5, cfg.ngram):
            got = [bool(f) for f in contaminated(list(docs), list(train), n)]
            lab.check_equal(f"flags at n = {n} = Janitor's", got, janitor_flags(docs, train, n),
                            hint="lowercase, delete punctuation, then split on whitespace")
            counts.append([n, sum(got), len(got), "yours"])
            if n == cfg.ngram:
                flags = got
        lab.check_equal("texts shorter than n words have no n-grams",
                        [bool(f) for f in contaminated(["a b c", "x y z w"], ["a b c", "x y z w"],
                                                       4)], [False, True])
        lab.check_equal("n-grams never span two training texts",
                        [bool(f) for f in contaminated(["c d e f"], ["a b c d", "e f g h"], 4)],
                        [False],
                        hint="collect the n-grams of each training text on its own")

    with lab.shown():
        lab.check_le("the tiny GPT learnt its corpus (loss from ln 600 = 6.4 to < 2.5)",
                     float(np.mean(losses[-20:])), 2.5)
        leak = [it["id"] % 2 == 0 for it in items]  # how the shipped corpus was made
        lab.check_equal(f"{cfg.ngram}-gram Janitor finds every leaked item",
                        all(f for f, lk in zip(janitor_flags(docs, train, cfg.ngram), leak,
                                               strict=True) if lk), True)
    if scores and flags and any(flags) and not all(flags):
        rows = []
        for name, keep in (("contaminated", flags), ("clean", [not f for f in flags])):
            sel = [s for s, k in zip(scores, keep, strict=True) if k]
            rows.append([name, len(sel), np.mean([s["acc"] for s in sel]),
                         np.mean([s["acc_norm"] for s in sel])])
        lab.table("acc_by_split", ["split", "items", "acc", "acc_norm"], rows,
                  title=f"scores on items your {cfg.ngram}-gram check flags vs the rest")
        gpt3 = janitor_flags(docs, train, 13)  # GPT-3's n: longer than most items here
        lab.table("flags_by_n", ["n", "flagged", "items", "by"],
                  [*counts, [13, sum(gpt3), len(gpt3), "Janitor"]],
                  title=f"{sum(leak)} items leaked; n = 5 flags {counts[0][1]}, GPT-3's n = 13 "
                        f"{sum(gpt3)} (the items are 8-14 words long)")
        with lab.shown():
            lab.check_ge("contaminated items score higher (acc gap)", rows[0][2] - rows[1][2], 0.2)
        fig, ax = plt.subplots(figsize=(5.5, 3.4))
        x = np.arange(2)
        ax.bar(x - 0.2, [r[2] for r in rows], 0.4, label="acc")
        ax.bar(x + 0.2, [r[3] for r in rows], 0.4, label="acc_norm")
        ax.axhline(0.25, color="grey", ls="--", label="chance")
        ax.set(xticks=x, xticklabels=[f"{r[0]} ({r[1]})" for r in rows], ylim=(0, 1.05),
               ylabel="accuracy", title="a leaked benchmark measures memory")
        ax.legend()
        lab.savefig(fig, "contamination.png")
        overall = np.mean([s["acc"] for s in scores]), np.mean([s["acc_norm"] for s in scores])
        lab.conclude(f"Scored exactly as lm-evaluation-harness does, the tiny GPT gets acc "
                     f"{overall[0]:.2f} and acc_norm {overall[1]:.2f}; on the {rows[0][1]} "
                     f"items your {cfg.ngram}-gram check flags as leaked it scores acc "
                     f"{rows[0][2]:.2f}, against {rows[1][2]:.2f} on the {rows[1][1]} clean "
                     f"ones (chance 0.25).")


def main(argv: list[str] | None = None) -> int:
    return kit.run("llm-evaluation", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
