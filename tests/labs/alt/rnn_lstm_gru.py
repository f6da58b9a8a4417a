"""Another idiom, d2l's: each gate with its own weight slices (W_xi, W_hi, b_i, ...) taken
from PyTorch's stacked layout, torch.matmul, and the GRU's candidate state written out."""

import torch


def _rows(w, k, H):
    return w[k * H:(k + 1) * H]


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(torch.matmul(x, w_ih.t()) + torch.matmul(h, w_hh.t()) + (b_ih + b_hh))


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    H_prev, C_prev = state
    H = H_prev.shape[-1]

    def gate(k, act):
        return act(torch.matmul(x, _rows(w_ih, k, H).t())
                   + torch.matmul(H_prev, _rows(w_hh, k, H).t())
                   + _rows(b_ih, k, H) + _rows(b_hh, k, H))

    I_t, F_t = gate(0, torch.sigmoid), gate(1, torch.sigmoid)
    C_tilde, O_t = gate(2, torch.tanh), gate(3, torch.sigmoid)
    C = F_t * C_prev + I_t * C_tilde
    return O_t * torch.tanh(C), C


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    H = h.shape[-1]

    def lin(k):
        return (torch.matmul(x, _rows(w_ih, k, H).t()) + _rows(b_ih, k, H),
                torch.matmul(h, _rows(w_hh, k, H).t()) + _rows(b_hh, k, H))

    R = torch.sigmoid(sum(lin(0)))
    Z = torch.sigmoid(sum(lin(1)))
    xn, hn = lin(2)
    H_tilde = torch.tanh(xn + R * hn)
    return Z * h + (1 - Z) * H_tilde
