"""Bug: the gradients are never zeroed, so they pile up from step to step."""

import torch
import torch.nn.functional as F


def amp_train_step(model, opt, scaler, x, y, dtype):
    with torch.autocast(device_type=x.device.type, dtype=dtype or torch.float32,
                        enabled=dtype is not None):
        loss = F.cross_entropy(model(x).float().flatten(0, 1), y.flatten())
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    return loss.detach()
