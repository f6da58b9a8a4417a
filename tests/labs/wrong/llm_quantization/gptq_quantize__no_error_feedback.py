"""Bug: rounds each column to the grid but never pushes its error onto later columns."""

import torch
from llm_quantization import quantize_to_grid


def gptq_quantize(W, X, scale, zero, maxq, damp=0.01):
    Q = torch.zeros_like(W)
    for i in range(W.shape[1]):
        Q[:, i] = quantize_to_grid(W[:, i], scale, zero, maxq)
    return Q
