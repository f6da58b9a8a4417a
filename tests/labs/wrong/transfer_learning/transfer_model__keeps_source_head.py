"""Bug: copies the whole source model, head included, so the target task gets 8 outputs."""

import copy


def transfer_model(source, n_classes, freeze):
    model = copy.deepcopy(source)
    for p in model.backbone.parameters():
        p.requires_grad_(not freeze)
    return model
