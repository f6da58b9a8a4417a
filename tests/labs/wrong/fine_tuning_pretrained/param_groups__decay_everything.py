"""Bug: applies weight decay to biases and LayerNorm weights too."""


def param_groups(model, head, lr, head_lr, layer_decay, weight_decay):
    n = len(model.encoder.layer)
    depth = {id(p): i for i, layer in enumerate(model.encoder.layer) for p in layer.parameters()}
    groups = {}
    for params, is_head in ((model.parameters(), False), (head.parameters(), True)):
        for p in params:
            if not p.requires_grad:
                continue
            rate = head_lr if is_head else lr * layer_decay ** (n - 1 - depth.get(id(p), -1))
            groups.setdefault((rate, weight_decay), []).append(p)
    return [{"params": ps, "lr": r, "weight_decay": wd} for (r, wd), ps in groups.items()]
