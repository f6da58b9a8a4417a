"""A deliberately wrong solution: lists and tuples are passed through unmoved, and Adam's
scalar step counter is moved along with the moments (torch keeps it on the CPU)."""

import torch


def to_device(obj, device, non_blocking=False):
    if torch.is_tensor(obj):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        return {k: to_device(v, device, non_blocking) for k, v in obj.items()}
    return obj  # bug: tensors inside lists and tuples stay where they were


def move_optimizer_state(opt, device):
    for state in opt.state.values():
        for key, value in state.items():
            if torch.is_tensor(value):  # bug: moves "step" too
                state[key] = value.to(device)
