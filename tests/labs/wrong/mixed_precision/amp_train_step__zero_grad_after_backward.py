"""Bug: the gradients are zeroed between backward and the optimizer step."""

import torch
import torch.nn.functional as F


def amp_train_step(model, opt, scaler, x, y, dtype):
    with torch.autocast(device_type=x.device.type, dtype=dtype or torch.float32,
                        enabled=dtype is not None):
        loss = F.cross_entropy(model(x).float().flatten(0, 1), y.flatten())
    scaler.scale(loss).backward()
    opt.zero_grad(set_to_none=False)
    scaler.step(opt)
    scaler.update()
    return loss.detach()
