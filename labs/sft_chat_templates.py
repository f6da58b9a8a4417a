"""Supervised fine-tuning (SFT) on chat templates: render, mask the prompt, train the replies.

A chat model sees a conversation as one string: a *chat template* (a Jinja program shipped
with the tokenizer, run by `apply_chat_template`) writes each message behind a role header
and closes it with an end token. Here the format is

    <|system|>\\n{content}<|end|>\\n<|user|>\\n{content}<|end|>\\n<|assistant|>\\n{content}<|end|>\\n

with a default system message when the conversation has none, and, to ask the model for a
reply, a final `<|assistant|>\\n` (the *generation prompt*). Supervised fine-tuning trains
on such strings with the causal-LM loss, but only on what the assistant says: every other
token (system, user, role headers) gets the label -100, which the cross-entropy ignores.
The `<|end|>` closing each reply *is* trained: it is how the model learns to stop. Labels
stay aligned with the inputs; the loss shifts them, so logits at t predict the token at t + 1,
and it averages over the trained tokens of the whole batch.

You write the renderer, the tokenisation with label masking, and the masked loss. Oracles:
Hugging Face transformers' `apply_chat_template` with the lab's Jinja template on a word-level
tokenizer built in-lab with the `tokenizers` library (the rendered text, and the assistant
mask from `{% generation %}` blocks), and the loss a LlamaForCausalLM computes from `labels`.
Then a tiny Llama, fine-tuned with your functions on conversations about opposites, answers
held-out questions and stops on its own.

$ python labs/sft_chat_templates.py --quick
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("render_chat", "tokenize_for_sft", "sft_loss")
DEFAULT_SYSTEM = "you are a helpful assistant ."
IGNORE = -100
PAIRS = [("hot", "cold"), ("big", "small"), ("up", "down"), ("fast", "slow"), ("old", "new"),
         ("left", "right"), ("day", "night"), ("open", "closed")]
QUESTIONS = ["what is the opposite of {} ?", "opposite of {} ?"]
SYSTEMS = ["answer in one short sentence .", "you know many words ."]
SPECIALS = ["<pad>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
TEMPLATE = (
    "{% if messages[0]['role'] != 'system' %}{{ '<|system|>\\n" + DEFAULT_SYSTEM
    + "<|end|>\\n' }}{% endif %}{% for m in messages %}{% if m['role'] == 'assistant' %}"
    "{{ '<|assistant|>\\n' }}{% generation %}{{ m['content'] + '<|end|>' }}{% endgeneration %}"
    "{{ '\\n' }}{% else %}{{ '<|' + m['role'] + '|>\\n' + m['content'] + '<|end|>\\n' }}"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}")


@dataclass(frozen=True)
class Config:
    d: int = 64
    layers: int = 1
    batch: int = 16
    steps: int = 90
    lr: float = 5e-3
    pool: int = 160  # training conversations (1 or 2 turns), tokenized once
    held_out: int = 32  # new two-turn conversations; the last reply is generated
    tol: float = 1e-5  # float32 against transformers


def render_chat(messages: list[dict], add_generation_prompt: bool = False) -> str:
    """The conversation as the chat template writes it (what `apply_chat_template` returns).

    Each message ``{"role": ..., "content": ...}`` becomes ``"<|" + role + "|>\\n" + content
    + "<|end|>\\n"``, in order. If the first message is not a system message, a system
    message with ``DEFAULT_SYSTEM`` comes first. With ``add_generation_prompt`` the text
    ends with ``"<|assistant|>\\n"``, the header of the reply the model is asked to write.
    """
    if not messages or messages[0]["role"] != "system":
        messages = [{"role": "system", "content": DEFAULT_SYSTEM}, *messages]
    text = "".join(f"<|{m['role']}|>\n{m['content']}<|end|>\n" for m in messages)
    return text + ("<|assistant|>\n" if add_generation_prompt else "")


def tokenize_for_sft(messages: list[dict], tokenizer) -> tuple[list[int], list[int]]:
    """Token ids of a conversation and the labels that train only the assistant's replies.

    ``input_ids`` are ``tokenizer(render_chat(messages), add_special_tokens=False)``'s ids.
    ``labels`` has the same length: the token id where the token belongs to an assistant
    reply (its content tokens and the ``<|end|>`` that closes it), ``IGNORE`` (-100)
    everywhere else, the ``<|assistant|>`` header included. Labels are not shifted (the loss
    shifts them). Returns ``(input_ids, labels)`` as lists of ints.
    """
    ids, labels, prefix = [], [], []
    for i, m in enumerate(messages):
        upto = tokenizer(render_chat(messages[:i + 1]), add_special_tokens=False).input_ids
        new = upto[len(prefix):]
        if m["role"] == "assistant":
            head = len(tokenizer("<|assistant|>\n", add_special_tokens=False).input_ids)
            labels += [IGNORE] * head + new[head:]
        else:
            labels += [IGNORE] * len(new)
        ids, prefix = ids + new, upto
    return ids, labels


def sft_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The causal-LM cross-entropy on the trained tokens (a 0-dim tensor).

    ``logits``: (B, T, V); ``labels``: (B, T), aligned with the inputs, ``IGNORE`` where not
    trained. The logits at position t predict the label at t + 1. Average over every
    trained (label, prediction) pair of the whole batch, not per sequence; positions whose
    label is ``IGNORE`` add nothing.
    """
    pred, target = logits[:, :-1].float(), labels[:, 1:]
    return F.cross_entropy(pred.reshape(-1, pred.shape[-1]), target.reshape(-1),
                           ignore_index=IGNORE)


# ------------------------------------------------------------------- the lab's own code
@kit.cached
def chat_tokenizer():
    """A word-level tokenizer (tokenizers library) with the lab's chat template."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = {w for text in [DEFAULT_SYSTEM, *SYSTEMS, *QUESTIONS] for w in text.split()}
    words |= {w for pair in PAIRS for w in pair} | set("the opposite of is .".split())
    vocab = {w: i for i, w in enumerate(SPECIALS + sorted(words - {"{}"}))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.add_special_tokens(SPECIALS)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>",
                                 eos_token="<|end|>")
    hf.chat_template = TEMPLATE
    return hf


def conversation(rng: random.Random, turns: int = 1) -> list[dict]:
    """Question-answer turns about opposites, sometimes after a system message."""
    msgs = [{"role": "system", "content": rng.choice(SYSTEMS)}] if rng.random() < 0.5 else []
    for _ in range(turns):
        a, b = rng.choice(PAIRS)
        a, b = (a, b) if rng.random() < 0.5 else (b, a)
        msgs += [{"role": "user", "content": rng.choice(QUESTIONS).format(a)},
                 {"role": "assistant", "content": f"{b} ."}]
    return msgs


def tiny_llama(cfg: Config, vocab: int, seed: int):
    """A LlamaForCausalLM built from a tiny config with seeded random weights."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    return LlamaForCausalLM(LlamaConfig(
        vocab_size=vocab, hidden_size=cfg.d, intermediate_size=2 * cfg.d,
        num_hidden_layers=cfg.layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=128, pad_token_id=0))


def pad(rows: list[list[int]], value: int) -> torch.Tensor:
    """Right-pad lists of ints to one (B, T) tensor."""
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows])


def greedy_reply(model, tok, prompts: list[list[int]], max_new: int) -> list[str]:
    """Greedy continuation of each prompt for ``max_new`` tokens, cut after `<|end|>`.

    Prompts of equal length run as one batch (no padding needed)."""
    end, replies = tok.convert_tokens_to_ids("<|end|>"), {}
    by_len: dict[int, list[int]] = {}
    for i, p in enumerate(prompts):
        by_len.setdefault(len(p), []).append(i)
    with torch.no_grad():
        for n, idx in by_len.items():
            seq = torch.tensor([prompts[i] for i in idx])
            for _ in range(max_new):
                seq = torch.cat([seq, model(input_ids=seq).logits[:, -1:].argmax(-1)], dim=1)
            for i, row in zip(idx, seq[:, n:].tolist(), strict=True):
                replies[i] = tok.decode(row[:row.index(end) + 1] if end in row else row)
    return [replies[i] for i in range(len(prompts))]


def body(lab: kit.Lab) -> None:
    cfg = Config(steps=lab.pick(90, 400), held_out=lab.pick(32, 200))
    tok = chat_tokenizer()
    rng = random.Random(lab.seed)
    convs = [conversation(rng, turns) for turns in (1, 2, 3, 1, 2, 3)]
    convs[0] = convs[0][-2:]  # one without a system message, one turn
    convs[1] = [{"role": "system", "content": SYSTEMS[0]}, *convs[1][-4:]]

    lab.section("render_chat vs apply_chat_template (the lab's Jinja template)")
    with lab.guard("render_chat runs"):
        for gen in (False, True):
            mine = [render_chat(c if not gen else c[:-1], gen) for c in convs]
            ref = [tok.apply_chat_template(c if not gen else c[:-1], tokenize=False,
                                           add_generation_prompt=gen) for c in convs]
            wrong = [i for i, (a, b) in enumerate(zip(mine, ref, strict=True)) if a != b]
            lab.check_equal(f"add_generation_prompt={gen}: rendered text = apply_chat_template"
                            f" (conversations that differ of {len(convs)})", wrong, [],
                            hint="default system message first; '<|assistant|>\\n' at the end "
                                 "only with add_generation_prompt")

    lab.section("tokenize_for_sft vs apply_chat_template's assistant mask")
    with lab.guard("tokenize_for_sft runs"):
        ids_ok, lab_ok = [], []
        for c in convs:
            ids, labels = tokenize_for_sft(c, tok)
            ref = tok.apply_chat_template(c, tokenize=True, return_dict=True,
                                          return_assistant_tokens_mask=True)
            want = [t if m else IGNORE for t, m in zip(ref["input_ids"], ref["assistant_masks"],
                                                       strict=True)]
            ids_ok.append(list(ids) == ref["input_ids"])
            lab_ok.append(list(labels) == want)
        lab.check_equal("input_ids = apply_chat_template's (conversations)", ids_ok,
                        [True] * len(convs))
        lab.check_equal("labels = ids on assistant replies (+ their <|end|>), -100 elsewhere "
                        "(conversations)", lab_ok, [True] * len(convs),
                        hint="train the reply and its <|end|>, not the <|assistant|> header; "
                             "do not shift the labels")

    lab.section("sft_loss vs LlamaForCausalLM(labels=...).loss")
    model = tiny_llama(cfg, len(tok), lab.seed)
    with lab.guard("sft_loss runs"):
        rows = [tok.apply_chat_template(c, tokenize=True, return_dict=True,
                                        return_assistant_tokens_mask=True) for c in convs]
        ids = pad([r["input_ids"] for r in rows], tok.pad_token_id)
        labels = pad([[t if m else IGNORE for t, m in zip(r["input_ids"], r["assistant_masks"],
                                                          strict=True)] for r in rows], IGNORE)
        out = model(input_ids=ids, attention_mask=(ids != tok.pad_token_id).long(),
                    labels=labels)
        lab.check_close("batch of conversations of different lengths: loss = transformers'",
                        sft_loss(out.logits, labels), out.loss, rtol=cfg.tol,
                        hint="shift: logits[:, :-1] predict labels[:, 1:]; mean over the "
                             "trained tokens of the whole batch")
    finetune(lab, cfg, tok, model)


def finetune(lab: kit.Lab, cfg: Config, tok, model) -> None:
    """SFT with the learner's functions; greedy answers to held-out conversations."""
    lab.section("supervised fine-tuning of a tiny Llama on the masked loss")
    rng = random.Random(1000 + lab.seed)
    losses: list[float] = []
    done = False
    with lab.guard("fine-tune runs"):
        pool = [tokenize_for_sft(conversation(rng, 1 + i % 2), tok) for i in range(cfg.pool)]
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
        model.train()
        for _ in range(cfg.steps):
            rows = rng.sample(pool, cfg.batch)
            ids = pad([list(r[0]) for r in rows], tok.pad_token_id)
            labels = pad([list(r[1]) for r in rows], IGNORE)
            logits = model(input_ids=ids, attention_mask=(ids != tok.pad_token_id).long()).logits
            loss = sft_loss(logits, labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        test_rng = random.Random(5000 + lab.seed)
        tests = [conversation(test_rng, 2) for _ in range(cfg.held_out)]
        prompts = [tok(render_chat(c[:-1], add_generation_prompt=True),
                       add_special_tokens=False).input_ids for c in tests]
        replies = greedy_reply(model, tok, prompts, max_new=4)
        want = [c[-1]["content"] + " <|end|>" for c in tests]
        stops = sum(r.endswith("<|end|>") for r in replies) / len(tests)
        exact = sum(r == w for r, w in zip(replies, want, strict=True)) / len(tests)
        lab.check_ge("held-out questions: the reply stops with <|end|> (share)", stops, 0.95,
                     hint="train the <|end|> that closes each reply: it teaches the model "
                          "to stop")
        lab.check_ge("held-out questions: exact answer, then <|end|> (share)", exact, 0.8,
                     hint="train on the reply tokens, with the loss shifted by one")
        lab.metric("heldout_stop_rate", stops)
        lab.metric("heldout_exact_match", exact)
        lab.table("sft_answers", ["question", "model's reply", "expected"],
                  [[c[-2]["content"], r, w] for c, r, w in
                   zip(tests[:6], replies, want, strict=False)],
                  title=f"greedy replies after {cfg.steps} SFT steps (held-out conversations)")
        done = True
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6), height_ratios=[3, 2])
    if done:
        ax.plot(losses)
        ax.set(xlabel="step", ylabel="masked SFT loss (reply tokens)", yscale="log",
               title="SFT of a tiny Llama on chat-formatted conversations")
        ids, labels = tokenize_for_sft(tests[0], tok)  # which tokens one conversation trains
        for i, (t, lb) in enumerate(zip(tok.convert_ids_to_tokens(list(ids)), labels,
                                        strict=True)):
            ax2.text(i % 11, -(i // 11), t, ha="center", va="center", fontsize=7,
                     color="white" if lb != IGNORE else "black",
                     bbox={"facecolor": "tab:green" if lb != IGNORE else "0.9", "pad": 1.5})
        ax2.set(xlim=(-0.7, 10.7), ylim=(-(len(ids) // 11) - 0.7, 0.7), xticks=[], yticks=[],
                title="your labels: trained tokens (green), -100 (grey)")
        lab.conclude(f"Your template matched apply_chat_template, your labels its assistant "
                     f"mask, your loss transformers'; {cfg.steps} steps of SFT on the reply "
                     f"tokens alone taught a tiny Llama to answer {exact:.0%} of held-out "
                     f"questions exactly and stop with <|end|>.")
    lab.savefig(fig, "sft_chat_templates.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("sft-chat-templates", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
