"""Bug: builds a new Net and freezes its randomly initialised backbone; nothing is transferred."""

from transfer_learning import Net


def transfer_model(source, n_classes, freeze):
    model = Net(n_classes)
    for p in model.backbone.parameters():
        p.requires_grad_(not freeze)
    return model
