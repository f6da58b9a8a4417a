"""Bug: h @ w_hh instead of h @ w_hh.T (square, so no shape error)."""

import torch


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh + b_hh)
