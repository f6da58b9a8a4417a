"""Bug: the backbone is assigned, not copied, so the new model trains the source's tensors."""

from transfer_learning import Net


def transfer_model(source, n_classes, freeze):
    model = Net(n_classes)
    model.backbone = source.backbone
    for p in model.backbone.parameters():
        p.requires_grad_(not freeze)
    return model
