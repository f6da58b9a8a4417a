"""Bug: the second group takes model.parameters(), so the head sits in both groups."""


def param_groups(model, lr_head, lr_backbone):
    head = [p for p in model.head.parameters() if p.requires_grad]
    rest = [p for p in model.parameters() if p.requires_grad]
    return [{"params": head, "lr": lr_head}, {"params": rest, "lr": lr_backbone}]
