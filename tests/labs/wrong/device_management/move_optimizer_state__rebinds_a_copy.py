"""Bug: builds a moved copy of each state dict and drops it: the optimizer keeps the old
tensors on the old device."""

import torch


def move_optimizer_state(opt, device):
    for state in opt.state.values():
        state = {k: v.to(device) if torch.is_tensor(v) and k != "step" else v  # noqa: F841
                 for k, v in state.items()}
