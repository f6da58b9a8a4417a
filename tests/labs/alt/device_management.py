"""Another idiom: to_device as a functools.singledispatch function with one rule per container
type, and the optimizer state moved with one dict update per parameter."""

from functools import singledispatch

import torch


@singledispatch
def _move(obj, device, non_blocking):
    return obj


@_move.register
def _(obj: torch.Tensor, device, non_blocking):
    return obj.to(device=device, non_blocking=non_blocking)


@_move.register
def _(obj: dict, device, non_blocking):
    return {key: _move(value, device, non_blocking) for key, value in obj.items()}


@_move.register(list)
@_move.register(tuple)
def _(obj, device, non_blocking):
    return type(obj)(_move(value, device, non_blocking) for value in obj)


def to_device(obj, device, non_blocking=False):
    return _move(obj, device, non_blocking)


def move_optimizer_state(opt, device):
    for param, state in opt.state.items():
        opt.state[param].update({k: v.to(device) for k, v in state.items()
                                 if isinstance(v, torch.Tensor) and k != "step"})
