"""Bug: the old state never enters: h' = tanh(x W_ih^T + b_ih + b_hh)."""

import torch


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x @ w_ih.T + b_ih + b_hh)
