"""Bug: trains the reply's content but masks the <|end|> that closes it, so the model never
learns to stop."""

from sft_chat_templates import IGNORE, render_chat


def tokenize_for_sft(messages, tokenizer):
    ids, labels = [], []
    for i, m in enumerate(messages):
        upto = tokenizer(render_chat(messages[:i + 1]), add_special_tokens=False).input_ids
        new = upto[len(ids):]
        if m["role"] == "assistant":
            labels += [IGNORE] + list(new[1:-1]) + [IGNORE]
        else:
            labels += [IGNORE] * len(new)
        ids = upto
    return ids, labels
