"""Bug: moves the tensors one level down only; nested dicts and sequences keep theirs."""

import torch


def to_device(obj, device, non_blocking=False):
    if isinstance(obj, dict):
        return {k: v.to(device, non_blocking=non_blocking) if torch.is_tensor(v) else v
                for k, v in obj.items()}
    return obj.to(device, non_blocking=non_blocking) if torch.is_tensor(obj) else obj
