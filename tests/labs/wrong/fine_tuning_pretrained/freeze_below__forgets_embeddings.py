"""Bug: freezes the layers below k but leaves the embeddings trainable."""


def freeze_below(model, k):
    for p in model.parameters():
        p.requires_grad_(True)
    for module in model.encoder.layer[:k]:
        for p in module.parameters():
            p.requires_grad_(False)
