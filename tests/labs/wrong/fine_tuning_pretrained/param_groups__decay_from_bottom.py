"""Bug: the exponent counts from the bottom (layer_decay ** i), so the lowest
trainable layer learns fastest."""


def param_groups(model, head, lr, head_lr, layer_decay, weight_decay):
    n = len(model.encoder.layer)
    depth = {id(p): i for i, layer in enumerate(model.encoder.layer) for p in layer.parameters()}
    groups = {}
    for params, is_head in ((model.parameters(), False), (head.parameters(), True)):
        for p in params:
            if not p.requires_grad:
                continue
            rate = head_lr if is_head else lr * layer_decay ** depth.get(id(p), n)
            groups.setdefault((rate, 0.0 if p.ndim == 1 else weight_decay), []).append(p)
    return [{"params": ps, "lr": r, "weight_decay": wd} for (r, wd), ps in groups.items()]
