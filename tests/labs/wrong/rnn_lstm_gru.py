"""A deliberately wrong solution: a missing transpose, LSTM gates read in the wrong order,
and the GRU update written with z and 1 - z swapped (the other papers' convention)."""

import torch


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh + b_hh)  # w_hh not transposed


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, o, g = gates.chunk(4, dim=-1)  # PyTorch's order is i, f, g, o
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    i_r, i_z, i_n = (x @ w_ih.T + b_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return z * n + (1 - z) * h  # swapped: PyTorch keeps z * h
