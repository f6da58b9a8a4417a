"""Bug: moves Adam's scalar step counter along with the moments (torch keeps it on the CPU)."""

import torch


def move_optimizer_state(opt, device):
    for state in opt.state.values():
        for key, value in state.items():
            if torch.is_tensor(value):
                state[key] = value.to(device)
