"""A deliberately wrong solution: the backbone is shared with the source model instead of
copied, "freezing" is done with .eval() (which does not stop gradients), and the optimizer
groups swap the two learning rates and include frozen parameters."""


def transfer_model(source, n_classes, freeze):
    model = type(source)(n_classes)
    model.backbone = source.backbone  # shared, not copied
    if freeze:
        model.backbone.eval()  # eval() changes dropout/batch-norm behaviour, not requires_grad
    return model


def param_groups(model, lr_head, lr_backbone):
    return [{"params": list(model.head.parameters()), "lr": lr_backbone},
            {"params": list(model.backbone.parameters()), "lr": lr_head}]
