"""Another idiom: the text built as a list of parts; assistant tokens found from character
spans (return_offsets_mapping), as TRL's and axolotl's collators do; the loss by
log_softmax + gather with an explicit mask, in float32."""

import torch

SYSTEM = "you are a helpful assistant ."


def render_chat(messages, add_generation_prompt=False):
    parts = []
    if len(messages) == 0 or messages[0]["role"] != "system":
        parts.append("<|system|>\n" + SYSTEM + "<|end|>\n")
    for m in messages:
        parts.append("<|%s|>\n%s<|end|>\n" % (m["role"], m["content"]))
    if add_generation_prompt:
        parts.append("<|assistant|>\n")
    return "".join(parts)


def tokenize_for_sft(messages, tokenizer):
    text = render_chat(messages)
    spans, pos = [], 0
    for m in messages:  # find each reply's characters, its <|end|> included
        if m["role"] == "assistant":
            start = text.index("<|assistant|>\n" + m["content"] + "<|end|>", pos)
            start += len("<|assistant|>\n")
            pos = start + len(m["content"] + "<|end|>")
            spans.append((start, pos))
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    labels = []
    for tok_id, (a, b) in zip(enc["input_ids"], enc["offset_mapping"], strict=True):
        inside = any(s <= a and b <= e for s, e in spans)
        labels.append(tok_id if inside else -100)
    return list(enc["input_ids"]), labels


def sft_loss(logits, labels):
    logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    target = labels[:, 1:]
    mask = target != -100
    picked = logp.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * mask).sum() / mask.sum()
