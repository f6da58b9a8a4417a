"""Bug: "freezing" with .eval(), which changes dropout/batch-norm behaviour, not gradients."""

import copy

from transfer_learning import Net


def transfer_model(source, n_classes, freeze):
    model = Net(n_classes)
    model.backbone = copy.deepcopy(source.backbone)
    if freeze:
        model.backbone.eval()
    return model
