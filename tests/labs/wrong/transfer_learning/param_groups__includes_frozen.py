"""Bug: frozen parameters are handed to the optimizer too."""


def param_groups(model, lr_head, lr_backbone):
    return [{"params": list(model.head.parameters()), "lr": lr_head},
            {"params": list(model.backbone.parameters()), "lr": lr_backbone}]
