"""Recurrent networks for sequences: a vanilla RNN vs LSTM vs GRU on long time lags.

A recurrent cell reads a sequence (a time series) one step at a time and carries a hidden
state h_t forward. A vanilla RNN squashes everything through h = tanh(W x + U h + b); the
gradient that flows back over L steps is a product of L Jacobians and vanishes, so it
cannot learn to remember something for long. The LSTM adds a memory cell c updated
additively, c' = f*c + i*g, guarded by forget/input/output gates; the GRU does the same
with an update gate z, h' = (1-z)*n + z*h. With a gate open, memory and gradient pass
through unchanged.

You write the three cells in PyTorch's parameter layout (its gate order: LSTM i, f, g, o;
GRU r, z, n); the lab checks each against nn.RNNCell / nn.LSTMCell / nn.GRUCell (outputs
and autograd gradients, float64), then trains all three - unrolled over time with *your*
cells - on a "remember the first value" task: x_0 carries a value v in U(-1, 1) and a
marker bit, the next L-1 steps carry noise, and the network must output v at the end.
Gated cells start "remembering by default" (forget/update-gate bias +5, LSTM input-gate
bias -3, a standard trick), which a plain RNN has no way to express. Expected: all three
solve a short lag; at a long lag the LSTM and GRU reach R^2 ~ 1 while the RNN stays at
R^2 ~ 0 (it predicts the mean).

$ python labs/rnn_lstm_gru.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("rnn_cell", "lstm_cell", "gru_cell")


@dataclass
class Config:
    hidden: int = 16  # hidden units per cell
    lags: tuple = (2, 5, 10, 20, 40, 80)  # sequence lengths L (value at t=0, answer at t=L-1)
    steps: int = 400  # Adam updates per (cell, lag)
    batch: int = 32  # sequences per update
    lr: float = 2e-2  # Adam learning rate
    noise: float = 1.0  # std of the distractor values after t=0 (hides v from a plain RNN)
    n_test: int = 512  # held-out sequences for R^2
    remember_bias: float = 5.0  # forget-gate (LSTM) / update-gate (GRU) bias at init
    write_bias: float = -3.0  # LSTM input-gate bias at init: write only when asked
    cell_tol: float = 1e-10  # max rel. error vs nn.*Cell in float64


# ----------------------------------------------------------------------------- cells
def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """Elman RNN step in nn.RNNCell's layout: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    x (B, I), h (B, H), w_ih (H, I), w_hh (H, H), b_ih/b_hh (H,). Returns h' (B, H).
    Checked in float64 against nn.RNNCell to 1e-10 (values and autograd gradients).
    """
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    """LSTM step in nn.LSTMCell's layout; state = (h, c), each (B, H); returns (h', c').

    w_ih (4H, I), w_hh (4H, H), b_ih/b_hh (4H,) stack the gates' rows in the order i, f, g,
    o (rows 0:H are the input gate, H:2H the forget gate, 2H:3H the candidate g, 3H:4H the
    output gate); each gate's pre-activation is x W_ih^T + b_ih + h W_hh^T + b_hh restricted
    to its rows. i, f, o = sigmoid(.), g = tanh(.), c' = f*c + i*g, h' = o*tanh(c').
    Checked in float64 against nn.LSTMCell to 1e-10 (h', c' and autograd gradients).
    """
    h, c = state
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh  # (B, 4H)
    i, f, g, o = gates.chunk(4, dim=-1)  # each (B, H)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """GRU step in nn.GRUCell's layout; returns h' (B, H).

    w_ih (3H, I), w_hh (3H, H), b_ih/b_hh (3H,) stack the rows in the order r, z, n (reset,
    update, candidate). r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z likewise, and
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) - the reset gate scales W_hn h + b_hn,
    *after* the matrix product - and h' = (1 - z) * n + z * h (z near 1 keeps the old h).
    Checked in float64 against nn.GRUCell to 1e-10 (values and autograd gradients).
    """
    gi = x @ w_ih.T + b_ih  # (B, 3H)
    gh = h @ w_hh.T + b_hh  # (B, 3H)
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h


# ----------------------------------------------------------------------------- model
KINDS = {"RNN": torch.nn.RNNCell, "LSTM": torch.nn.LSTMCell, "GRU": torch.nn.GRUCell}


class Recurrent(torch.nn.Module):
    """Unrolls one hand-written cell over time; parameters initialised like nn.*Cell."""

    def __init__(self, kind: str, n_in: int, hidden: int, cfg: Config):
        super().__init__()
        self.kind, self.hidden = kind, hidden
        self.cell = KINDS[kind](n_in, hidden)  # holds weight_ih, weight_hh, bias_ih, bias_hh
        self.head = torch.nn.Linear(hidden, 1)
        H = hidden
        with torch.no_grad():
            if kind in ("LSTM", "GRU"):  # LSTM forget gate = rows H:2H; GRU update gate z = H:2H
                self.cell.bias_ih[H:2 * H].fill_(cfg.remember_bias)
                self.cell.bias_hh[H:2 * H].zero_()
            if kind == "LSTM":  # input gate = rows 0:H
                self.cell.bias_ih[:H].fill_(cfg.write_bias)
                self.cell.bias_hh[:H].zero_()

    def forward(self, x):  # x (B, L, I) -> prediction (B,)
        B = x.shape[0]
        p = (self.cell.weight_ih, self.cell.weight_hh, self.cell.bias_ih, self.cell.bias_hh)
        h = x.new_zeros(B, self.hidden)
        c = x.new_zeros(B, self.hidden)
        for t in range(x.shape[1]):
            if self.kind == "RNN":
                h = rnn_cell(x[:, t], h, *p)
            elif self.kind == "LSTM":
                h, c = lstm_cell(x[:, t], (h, c), *p)
            else:
                h = gru_cell(x[:, t], h, *p)
        return self.head(h).squeeze(-1)


def make_batch(n: int, lag: int, noise: float, gen: torch.Generator, device):
    """x (n, lag, 2): channel 0 = v at t=0 then noise, channel 1 = marker at t=0; y = v."""
    v = 2 * torch.rand(n, generator=gen) - 1
    x = torch.zeros(n, lag, 2)
    x[:, :, 0] = noise * torch.randn(n, lag, generator=gen)
    x[:, 0, 0], x[:, 0, 1] = v, 1.0
    return x.to(device), v.to(device)


class Adam:
    """Adam (Kingma & Ba), the same update as torch.optim.Adam; kept here because building a
    torch.optim optimizer imports torch._dynamo (~2.5 s of CPU) and --quick must be fast."""

    def __init__(self, params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = list(params), lr, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self) -> None:
        (b1, b2), self.t = self.betas, self.t + 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:  # a parameter the cell never used
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            denom = (v / (1 - b2**self.t)).sqrt_().add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / (1 - b1**self.t))
            p.grad = None


def train_one(kind: str, lag: int, cfg: Config, seed: int, device) -> tuple[float, list]:
    """Train one (cell, lag) model with Adam; return held-out R^2 and the loss curve."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + lag)
    model = Recurrent(kind, 2, cfg.hidden, cfg).to(device)
    opt = Adam(model.parameters(), lr=cfg.lr)
    x_test, y_test = make_batch(cfg.n_test, lag, cfg.noise, gen, device)
    losses = []
    for _ in range(cfg.steps):
        x, y = make_batch(cfg.batch, lag, cfg.noise, gen, device)
        loss = F.mse_loss(model(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        mse = F.mse_loss(model(x_test), y_test).item()
    return 1.0 - mse / y_test.var().item(), losses


# ------------------------------------------------------------------------------ body
HINTS = {"RNN": "h' = tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)",
         "LSTM": "gate rows in the order i, f, g, o; h' = o * tanh(c')",
         "GRU": "rows r, z, n; r multiplies (W_hn h + b_hn); h' = (1 - z) n + z h"}


def check_cells(lab: kit.Lab, cfg: Config) -> None:
    B, n_in, H = 5, 3, cfg.hidden
    x = torch.randn(B, n_in, dtype=torch.float64, requires_grad=True)
    h = torch.randn(B, H, dtype=torch.float64, requires_grad=True)
    c = torch.randn(B, H, dtype=torch.float64, requires_grad=True)
    for kind, ref_cls in KINDS.items():
        ref = ref_cls(n_in, H).double()
        params = [ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh]
        hint = HINTS[kind]
        with lab.guard(f"{kind.lower()}_cell runs"):
            if kind == "LSTM":
                mine_h, mine_c = lstm_cell(x, (h, c), *params)
                ref_h, ref_c = ref(x, (h, c))
                lab.check_close("LSTM cell h' = nn.LSTMCell", mine_h, ref_h, rtol=cfg.cell_tol,
                                hint=hint)
                lab.check_close("LSTM cell c' = nn.LSTMCell", mine_c, ref_c, rtol=cfg.cell_tol,
                                hint="c' = f * c + i * g; return (h', c') in that order")
                mine, out = (mine_h * 1.3 + mine_c).sum(), (ref_h * 1.3 + ref_c).sum()
            else:
                fn = rnn_cell if kind == "RNN" else gru_cell
                mine_h, ref_h = fn(x, h, *params), ref(x, h)
                lab.check_close(f"{kind} cell h' = nn.{kind}Cell", mine_h, ref_h,
                                rtol=cfg.cell_tol, hint=hint)
                mine, out = mine_h.sum(), ref_h.sum()
            wrt = [x, h, *params] + ([c] if kind == "LSTM" else [])
            g_mine = torch.autograd.grad(mine, wrt, allow_unused=True)
            g_ref = torch.autograd.grad(out, wrt)
            lab.check_close(f"{kind} cell gradients = autograd of nn.{kind}Cell",
                            torch.cat([(torch.zeros_like(r) if g is None else g).reshape(-1)
                                       for g, r in zip(g_mine, g_ref, strict=True)]),
                            torch.cat([g.reshape(-1) for g in g_ref]), rtol=1e-8, atol=1e-12,
                            hint=hint)


def body(lab: kit.Lab) -> None:
    cfg = Config(lags=lab.pick((5, 30), Config.lags), steps=lab.pick(100, Config.steps),
                 batch=lab.pick(32, 64))
    dev = lab.torch_device

    lab.section("hand-written cells vs nn.RNNCell / nn.LSTMCell / nn.GRUCell (float64)")
    check_cells(lab, cfg)

    lab.section(f"remember the first value over L steps (lags {cfg.lags}, {cfg.steps} steps)")
    r2 = {k: [] for k in KINDS}
    curves = {}
    with lab.guard("training with your cells runs"):
        with lab.timer() as t:
            for lag in cfg.lags:
                for kind in KINDS:
                    score, losses = train_one(kind, lag, cfg, lab.seed, dev)
                    r2[kind].append(score)
                    curves[kind] = losses  # the last (longest) lag is kept
                    lab.log(f"  L={lag:3d} {kind:4s} test R^2 = {score:+.3f}")
        lab.metric("train_seconds", t.seconds, "s")
        short, long_ = cfg.lags[0], cfg.lags[-1]
        for kind in KINDS:
            lab.metric(f"r2_{kind.lower()}_lag{long_}", r2[kind][-1])
        lab.check_ge(f"RNN solves the short lag L={short} (R^2)", r2["RNN"][0], 0.8,
                     "a plain RNN is fine when the lag is short",
                     hint="the new h must depend on the old h (h @ w_hh.T)")
        for kind in ("LSTM", "GRU"):
            lab.check_ge(f"{kind} solves the long lag L={long_} (R^2)", r2[kind][-1], 0.8,
                         hint="the lab opens the remember gate through its bias rows H:2H: "
                              "keep PyTorch's gate order")
            lab.check_ge(f"{kind} beats RNN at L={long_} (R^2 margin)",
                         r2[kind][-1] - r2["RNN"][-1], 0.5,
                         "vanishing gradients: the RNN cannot carry v that far")
        lab.table("r2_by_lag", ["lag L", *KINDS], [[lag, *(r2[k][i] for k in KINDS)]
                                                    for i, lag in enumerate(cfg.lags)],
                  title="held-out R^2 of 'remember the first value' (1 = perfect, 0 = the mean)")
        lab.conclude(f"Your LSTM and GRU cells matched nn.LSTMCell / nn.GRUCell and carried a "
                     f"value across L={long_} steps (R^2 {r2['LSTM'][-1]:.2f} and "
                     f"{r2['GRU'][-1]:.2f}) where your plain RNN could not "
                     f"(R^2 {r2['RNN'][-1]:.2f}; {r2['RNN'][0]:.2f} at L={short}).")

        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
        for kind, marker in zip(KINDS, "osd", strict=True):
            ax1.plot(cfg.lags, r2[kind], marker=marker, label=kind)
            ax2.semilogy(np.convolve(curves[kind], np.ones(10) / 10, mode="valid"), label=kind)
        ax1.set(xscale="log", xlabel="lag L (steps between value and answer)",
                ylabel="held-out R^2", title="memory over long lags", ylim=(-0.1, 1.05))
        ax1.set_xticks(cfg.lags, [str(lag) for lag in cfg.lags], minor=False)
        ax1.minorticks_off()
        ax2.set(xlabel="Adam step", ylabel="MSE (moving avg)", title=f"training at L={long_}")
        ax1.legend()
        ax2.legend()
        lab.savefig(fig, "rnn_lstm_gru_lags.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("rnn-lstm-gru", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
