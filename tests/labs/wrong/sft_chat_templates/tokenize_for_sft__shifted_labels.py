"""Bug: shifts the labels by one here (labels[t] = ids[t + 1]), and the loss shifts them
again: the model learns to predict two tokens ahead."""

from sft_chat_templates import IGNORE, render_chat


def tokenize_for_sft(messages, tokenizer):
    ids, mask = [], []
    for i, m in enumerate(messages):
        upto = tokenizer(render_chat(messages[:i + 1]), add_special_tokens=False).input_ids
        new = upto[len(ids):]
        mask += [False] + [m["role"] == "assistant"] * (len(new) - 1)
        ids = upto
    labels = [ids[t + 1] if mask[t + 1] else IGNORE for t in range(len(ids) - 1)] + [IGNORE]
    return ids, labels
