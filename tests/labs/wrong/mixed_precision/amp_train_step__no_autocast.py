"""Bug: the forward pass runs outside torch.autocast, so every mode trains in fp32."""

import torch.nn.functional as F


def amp_train_step(model, opt, scaler, x, y, dtype):
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    return loss.detach()
