"""Bug: a list comprehension rebuilds every sequence as a list, so tuples change type."""

import torch


def to_device(obj, device, non_blocking=False):
    if torch.is_tensor(obj):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, dict):
        return {k: to_device(v, device, non_blocking) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_device(v, device, non_blocking) for v in obj]
    return obj
