"""Bug: calls .eval() on the lower modules, which switches dropout off but freezes
nothing: their parameters still get gradients and move."""


def freeze_below(model, k):
    for p in model.parameters():
        p.requires_grad_(True)
    for module in [model.embeddings, *model.encoder.layer[:k]]:
        module.eval()
