"""Bug: freezes the weight matrices but not the biases (filters names on 'weight')."""


def freeze_below(model, k):
    for p in model.parameters():
        p.requires_grad_(True)
    for module in [model.embeddings, *model.encoder.layer[:k]]:
        for name, p in module.named_parameters():
            if name.endswith("weight"):
                p.requires_grad_(False)
