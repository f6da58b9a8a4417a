"""Bug: never calls model.train(); from_pretrained left the model in eval mode (no dropout)."""


def fine_tune_step(model, tokenizer, texts, labels, optimizer):
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    loss = model(**enc, labels=labels).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()
