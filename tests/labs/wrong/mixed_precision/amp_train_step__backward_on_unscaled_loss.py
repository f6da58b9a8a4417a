"""Bug: computes the scaled loss but calls backward on the plain one, so scaler.step divides
gradients that were never multiplied by the scale."""

import torch
import torch.nn.functional as F


def amp_train_step(model, opt, scaler, x, y, dtype):
    opt.zero_grad(set_to_none=True)
    with torch.autocast(device_type=x.device.type, dtype=dtype or torch.float32,
                        enabled=dtype is not None):
        loss = F.cross_entropy(model(x).float().flatten(0, 1), y.flatten())
    scaled = scaler.scale(loss)  # noqa: F841 - computed, then not used
    loss.backward()
    scaler.step(opt)
    scaler.update()
    return loss.detach()
