"""Bug: the two learning rates are swapped (head at lr_backbone, backbone at lr_head)."""


def param_groups(model, lr_head, lr_backbone):
    head = [p for p in model.head.parameters() if p.requires_grad]
    backbone = [p for p in model.backbone.parameters() if p.requires_grad]
    groups = [{"params": head, "lr": lr_backbone}, {"params": backbone, "lr": lr_head}]
    return [g for g in groups if g["params"]]
