"""Bug: never clears the gradients, so every step adds its gradient to all the earlier ones."""


def fine_tune_step(model, tokenizer, texts, labels, optimizer):
    model.train()
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    loss = model(**enc, labels=labels).loss
    loss.backward()
    optimizer.step()
    return loss.item()
