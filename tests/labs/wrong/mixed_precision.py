"""A deliberately wrong solution: the optimizer bypasses the GradScaler, and the scale
grows one clean step too late (off-by-one)."""

import torch
import torch.nn.functional as F


def amp_train_step(model, opt, scaler, x, y, dtype):
    opt.zero_grad(set_to_none=True)
    with torch.autocast(device_type=x.device.type, dtype=dtype or torch.float32,
                        enabled=dtype is not None):
        loss = F.cross_entropy(model(x).float().flatten(0, 1), y.flatten())
    scaler.scale(loss).backward()
    opt.step()  # bug: no scaler.step(opt) (no unscale, no skip) and no scaler.update()
    return loss.detach()


def update_loss_scale(scale, tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    if found_inf:
        return scale * backoff_factor, 0
    tracker += 1
    if tracker > growth_interval:  # bug: grows after growth_interval + 1 clean steps
        return scale * growth_factor, 0
    return scale, tracker
