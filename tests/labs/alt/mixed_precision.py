"""Another idiom: the PyTorch AMP recipe, with nn.CrossEntropyLoss on reshaped logits, an
explicit scaler.unscale_ (where gradient clipping would go) and zero_grad at the end of the
step; the scale rule written as a growth test on tracker + 1."""

import torch
from torch import nn


def amp_train_step(model, opt, scaler, x, y, dtype):
    use_amp = dtype is not None
    with torch.autocast(x.device.type, dtype=dtype if use_amp else torch.bfloat16,
                        enabled=use_amp):
        out = model(x)
        loss = nn.CrossEntropyLoss()(out.reshape(-1, out.size(-1)), y.reshape(-1))
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    opt.zero_grad()
    return loss.detach()


def update_loss_scale(scale, tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    if found_inf:
        return scale * backoff_factor, 0
    if tracker + 1 >= growth_interval:
        return scale * growth_factor, 0
    return scale, tracker + 1
