"""Bug: only ever sets requires_grad False, so an earlier, deeper freeze stays."""


def freeze_below(model, k):
    for module in [model.embeddings, *model.encoder.layer[:k]]:
        for p in module.parameters():
            p.requires_grad_(False)
