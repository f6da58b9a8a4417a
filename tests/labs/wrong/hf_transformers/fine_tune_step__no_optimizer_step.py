"""Bug: computes and clears the gradients but never calls optimizer.step(): nothing learns."""


def fine_tune_step(model, tokenizer, texts, labels, optimizer):
    model.train()
    optimizer.zero_grad()
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    loss = model(**enc, labels=labels).loss
    loss.backward()
    optimizer.zero_grad()
    return loss.item()
