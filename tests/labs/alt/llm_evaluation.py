"""Another idiom: the tokenizer's __call__, float32 log-softmax and a per-token loop (the
Hugging Face course's style); max() over indices; zip-built n-grams with re for punctuation."""

import re
import string

import torch

_PUNCT = re.compile("[" + re.escape(string.punctuation) + "]")


def continuation_logprob(model, tokenizer, context, continuation):
    stripped = context.rstrip()
    continuation = context[len(stripped):] + continuation
    context = stripped
    ids = tokenizer(context + continuation, add_special_tokens=False)["input_ids"]
    start = len(tokenizer(context, add_special_tokens=False)["input_ids"])
    inputs = torch.tensor(ids[:-1]).unsqueeze(0)
    with torch.inference_mode():
        logprobs = torch.log_softmax(model(input_ids=inputs).logits[0].float(), dim=-1)
    total, greedy = 0.0, True
    for t in range(start, len(ids)):
        row = logprobs[t - 1]
        total += row[ids[t]].item()
        greedy = greedy and int(row.argmax()) == ids[t]
    return total, greedy


def multiple_choice_scores(lls, choices, gold):
    normed = [ll / len(c) for ll, c in zip(lls, choices, strict=True)]
    pred = max(range(len(lls)), key=lambda i: (lls[i], -i))
    pred_norm = max(range(len(normed)), key=lambda i: (normed[i], -i))
    return {"acc": 1.0 if pred == gold else 0.0, "acc_norm": 1.0 if pred_norm == gold else 0.0}


def _ngrams(text, n):
    words = _PUNCT.sub("", text.lower()).split()
    return set(zip(*(words[i:] for i in range(n)), strict=False))


def contaminated(test_texts, train_texts, n=13):
    dirty = set()
    for text in train_texts:
        dirty.update(_ngrams(text, n))
    return [not dirty.isdisjoint(_ngrams(text, n)) for text in test_texts]
