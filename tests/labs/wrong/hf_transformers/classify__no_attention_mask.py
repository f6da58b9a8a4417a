"""Bug: feeds only the input ids, so the padding tokens are attended to in short texts."""

import torch


def classify(tokenizer, model, texts):
    enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(input_ids=enc["input_ids"]).logits
    return torch.softmax(logits, dim=-1).numpy()
