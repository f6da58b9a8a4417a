"""Another idiom, as the PyTorch transfer-learning tutorial writes it: deepcopy the whole
pretrained model, swap in a new nn.Linear head sized from in_features, freeze with
module.requires_grad_(False), and hand the optimizer filtered generators."""

import copy

from torch import nn


def transfer_model(source, n_classes, freeze):
    model = copy.deepcopy(source)
    model.backbone.requires_grad_(not freeze)
    model.head = nn.Linear(model.head.in_features, n_classes)
    return model


def param_groups(model, lr_head, lr_backbone):
    def trainable(module):
        return (p for p in module.parameters() if p.requires_grad)

    groups = [{"params": trainable(model.backbone), "lr": lr_backbone},
              {"params": trainable(model.head), "lr": lr_head}]
    if not any(p.requires_grad for p in model.backbone.parameters()):
        groups = groups[1:]
    return groups
