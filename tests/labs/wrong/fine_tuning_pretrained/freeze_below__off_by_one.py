"""Bug: freezes layers 0..k (``<= k``), one layer too many."""


def freeze_below(model, k):
    for p in model.parameters():
        p.requires_grad_(True)
    for module in [model.embeddings, *model.encoder.layer[: k + 1]]:
        for p in module.parameters():
            p.requires_grad_(False)
