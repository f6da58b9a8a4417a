"""Bug: adds s B A into the base weight in place and returns it: the unmerged adapter now
counts the update twice."""

import torch


def merge_lora(weight, A, B, scaling):
    with torch.no_grad():
        weight += scaling * (B @ A)
    return weight
