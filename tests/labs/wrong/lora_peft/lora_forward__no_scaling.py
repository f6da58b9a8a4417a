"""Bug: adds the low-rank path without multiplying it by the scale."""

import torch.nn.functional as F


def lora_forward(x, weight, bias, A, B, scaling):
    return F.linear(x, weight, bias) + F.linear(F.linear(x, A), B)
