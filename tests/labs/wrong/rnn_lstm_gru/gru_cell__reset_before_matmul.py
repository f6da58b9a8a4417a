"""Bug: the reset gate scales h before the matrix product (Cho et al. 2014 / Keras
reset_after=False): W_hn (r * h) + b_hn instead of r * (W_hn h + b_hn)."""

import torch


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    i_r, i_z, i_n = (x @ w_ih.T + b_ih).chunk(3, dim=-1)
    H = h.shape[-1]
    h_r, h_z, _ = (h @ w_hh.T + b_hh).chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + (r * h) @ w_hh[2 * H:].T + b_hh[2 * H:])
    return (1 - z) * n + z * h
