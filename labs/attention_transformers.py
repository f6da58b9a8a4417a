"""Attention and transformers: self-attention, multi-head attention, positional encoding.

Scaled dot-product attention mixes values by how well each query matches each key:
softmax(Q K^T / sqrt(d)) V. Multi-head attention projects the input into h smaller
query/key/value spaces, attends in each head in parallel, concatenates the heads and
projects back. Attention alone ignores order (permuting the tokens permutes the output),
so a transformer adds a positional encoding; the sinusoidal one of "Attention Is All You
Need" is PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)).

You write the three pieces; the lab checks them against PyTorch with float64 inputs and
tolerances that float32 arithmetic meets (1e-5): attention and its weights vs
F.scaled_dot_product_attention (plain, masked, per-batch mask, causal), multi-head
attention vs nn.MultiheadAttention (self, causal, cross-attention, per-head weights,
gradients), the encoding vs a scalar loop over the paper's formula; self-attention must be
permutation-equivariant and a causal mask must leak nothing from the future. Then a tiny
decoder-only transformer built from your functions learns a copy task: given
"x1 .. xn SEP" it must generate x1 .. xn, which needs attention to the token n+1
positions back - found through the positional encoding.

$ python labs/attention_transformers.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("scaled_dot_product_attention", "multi_head_attention", "positional_encoding")


@dataclass
class Config:
    vocab: int = 10  # content tokens 0..9; token 10 is SEP
    n_copy: int = 12  # tokens to copy
    d_model: int = 64  # embedding width
    heads: int = 4  # attention heads
    layers: int = 2  # transformer blocks
    steps: int = 800  # Adam updates
    batch: int = 64  # sequences per update
    lr: float = 1e-2  # Adam learning rate (3e-3 in full mode: larger model)
    n_test: int = 256  # held-out sequences, generated greedily
    rtol: float = 1e-5  # vs PyTorch: float64 inputs, but float32 arithmetic must pass too
    atol: float = 1e-7  # absolute floor for near-zero outputs and masked weights


# ------------------------------------------------------------------------- exercises
def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d)) v; q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv).

    d is the query/key width q.shape[-1] (not dv); the softmax runs over the keys (last
    axis). ``mask`` is boolean, broadcastable to (..., Tq, Tk), True = may attend (as in
    F.scaled_dot_product_attention): a masked score becomes -inf *before* the softmax, so
    its weight is exactly 0. Returns (output (..., Tq, dv), weights (..., Tq, Tk)).
    Checked with float64 inputs to 1e-5 relative error, so float32 arithmetic passes too.
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias, num_heads, mask=None):
    """Multi-head attention in nn.MultiheadAttention's layout (batch_first).

    query (B, Tq, E), key/value (B, Tk, E); in_proj_weight (3E, E) stacks W_q, W_k, W_v;
    in_proj_bias (3E,); out_proj_weight (E, E), out_proj_bias (E,). ``mask`` as in
    scaled_dot_product_attention (True = may attend), shape (Tq, Tk). Head j takes features
    j*hd .. (j+1)*hd - 1 of each projection (hd = E // num_heads) and attends with scale
    sqrt(hd); the heads' outputs are concatenated in order and go through the output
    projection. Returns (output (B, Tq, E), per-head weights (B, heads, Tq, Tk), not their
    mean). Checked with float64 inputs to 1e-5 relative error.
    """
    B, Tq, E = query.shape
    Tk, hd = key.shape[1], E // num_heads
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q, b_k, b_v = in_proj_bias.chunk(3)
    q = (query @ w_q.T + b_q).view(B, Tq, num_heads, hd).transpose(1, 2)  # (B, h, Tq, hd)
    k = (key @ w_k.T + b_k).view(B, Tk, num_heads, hd).transpose(1, 2)  # (B, h, Tk, hd)
    v = (value @ w_v.T + b_v).view(B, Tk, num_heads, hd).transpose(1, 2)  # (B, h, Tk, hd)
    out, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, h, Tq, hd)
    out = out.transpose(1, 2).reshape(B, Tq, E)  # concatenate the heads
    return out @ out_proj_weight.T + out_proj_bias, weights


def positional_encoding(length: int, d_model: int):
    """Sinusoidal encoding (length, d_model) for positions p = 0 .. length - 1:
    PE[p, 2i] = sin(p / 10000^(2i / d_model)), PE[p, 2i+1] = cos(p / 10000^(2i / d_model)).

    Any float dtype: float32 is fine (checked against the float64 formula to 1e-5 absolute).
    """
    pos = torch.arange(length, dtype=torch.float64)[:, None]  # (T, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (d/2,)
    angle = pos / 10000 ** (two_i / d_model)  # (T, d/2)
    pe = torch.zeros(length, d_model, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe


# --------------------------------------------------------------------- tiny model
class Block(torch.nn.Module):
    """Pre-LayerNorm transformer block; attention = your multi_head_attention."""

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.attn = torch.nn.MultiheadAttention(d, heads, batch_first=True)  # parameters only
        self.mlp = torch.nn.Sequential(torch.nn.Linear(d, 4 * d), torch.nn.GELU(),
                                       torch.nn.Linear(4 * d, d))

    def forward(self, x, mask):
        a = self.attn
        h = self.ln1(x)
        out, self.last_weights = multi_head_attention(
            h, h, h, a.in_proj_weight, a.in_proj_bias, a.out_proj.weight, a.out_proj.bias,
            self.heads, mask)
        x = x + out
        return x + self.mlp(self.ln2(x))


class TinyTransformer(torch.nn.Module):
    """Token embedding + sinusoidal positions -> blocks -> LayerNorm -> logits."""

    def __init__(self, cfg: Config):
        super().__init__()
        n_tok, T = cfg.vocab + 1, 2 * cfg.n_copy + 1
        self.emb = torch.nn.Embedding(n_tok, cfg.d_model)
        self.register_buffer("pe", positional_encoding(T, cfg.d_model).float())
        self.blocks = torch.nn.ModuleList(Block(cfg.d_model, cfg.heads) for _ in range(cfg.layers))
        self.ln, self.head = torch.nn.LayerNorm(cfg.d_model), torch.nn.Linear(cfg.d_model, n_tok)

    def forward(self, tok):  # tok (B, T) -> logits (B, T, vocab+1)
        T = tok.shape[1]
        x = self.emb(tok) + self.pe[:T]
        causal = torch.ones(T, T, dtype=torch.bool, device=tok.device).tril()
        for block in self.blocks:
            x = block(x, causal)
        return self.head(self.ln(x))


class Adam:
    """Adam, the same update as torch.optim.Adam (which imports torch._dynamo: ~2.5 s)."""

    def __init__(self, params, lr: float):
        self.params, self.lr, self.t = list(params), lr, 0
        self.mv = [(torch.zeros_like(p), torch.zeros_like(p)) for p in self.params]

    @torch.no_grad()
    def step(self) -> None:  # betas (0.9, 0.999), eps 1e-8
        self.t += 1
        for p, (m, v) in zip(self.params, self.mv, strict=True):
            m.mul_(0.9).add_(p.grad, alpha=0.1)
            v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
            p.addcdiv_(m, (v / (1 - 0.999**self.t)).sqrt_().add_(1e-8),
                       value=-self.lr / (1 - 0.9**self.t))
            p.grad = None


def copy_batch(n: int, cfg: Config, gen: torch.Generator, device):
    """(n, 2*n_copy+1): x1..xn SEP x1..xn."""
    x = torch.randint(0, cfg.vocab, (n, cfg.n_copy), generator=gen)
    return torch.cat([x, torch.full((n, 1), cfg.vocab), x], dim=1).to(device)


# ----------------------------------------------------------------------------- checks
def check_attention(lab: kit.Lab, cfg: Config) -> None:
    """Your attention vs F.scaled_dot_product_attention: plain, masks, and its weights."""
    f64 = dict(dtype=torch.float64)
    B, h, Tq, Tk, d, dv = 2, 3, 5, 7, 8, 6  # d != dv: the scale is sqrt(d), the query width
    q, k = torch.randn(B, h, Tq, d, **f64), torch.randn(B, h, Tk, d, **f64)
    v = torch.randn(B, h, Tk, dv, **f64)
    rand_mask = torch.rand(Tq, Tk) < 0.6
    rand_mask[:, 0] = True  # every query sees at least one key
    per_batch = torch.rand(B, 1, Tq, Tk) < 0.5  # broadcast over the heads
    per_batch[..., -1] = True
    causal = torch.ones(Tq, Tq, dtype=torch.bool).tril()
    ks, vs = k[..., :Tq, :], v[..., :Tq, :]
    eye = torch.eye(Tk, **f64).expand(B, h, Tk, Tk)  # sdpa(q, k, I) = the attention weights
    tol = dict(rtol=cfg.rtol, atol=cfg.atol)
    with lab.guard("scaled_dot_product_attention runs"):
        out, w = scaled_dot_product_attention(q, k, v)
        lab.check_close("attention = F.scaled_dot_product_attention", out,
                        F.scaled_dot_product_attention(q, k, v), **tol,
                        hint="divide the scores by sqrt(d), d = q.shape[-1]")
        lab.check_close("weights = F.sdpa(q, k, identity) (softmax over the keys)", w,
                        F.scaled_dot_product_attention(q, k, eye), **tol,
                        hint="softmax over the last axis: each query's weights sum to 1")
        lab.check_close("masked attention = F.sdpa(attn_mask), mask (Tq, Tk)",
                        scaled_dot_product_attention(q, k, v, rand_mask)[0],
                        F.scaled_dot_product_attention(q, k, v, attn_mask=rand_mask), **tol,
                        hint="True = may attend: fill the scores where the mask is False")
        lab.check_close("masked weights = F.sdpa(q, k, identity, attn_mask) (0 where masked)",
                        scaled_dot_product_attention(q, k, v, rand_mask)[1],
                        F.scaled_dot_product_attention(q, k, eye, attn_mask=rand_mask), **tol,
                        hint="mask the scores before the softmax, not the weights after it")
        lab.check_close("per-batch mask (B, 1, Tq, Tk) = F.sdpa(attn_mask)",
                        scaled_dot_product_attention(q, k, v, per_batch)[0],
                        F.scaled_dot_product_attention(q, k, v, attn_mask=per_batch), **tol)
        lab.check_close("causal attention = F.sdpa(is_causal=True)",
                        scaled_dot_product_attention(q, ks, vs, causal)[0],
                        F.scaled_dot_product_attention(q, ks, vs, is_causal=True), **tol)


def check_multi_head(lab: kit.Lab, cfg: Config) -> None:
    """Your multi-head attention vs nn.MultiheadAttention: self, causal, cross, gradients."""
    B, E, heads, T = 2, 12, 3, 6
    ref = torch.nn.MultiheadAttention(E, heads, batch_first=True).double()
    with torch.no_grad():
        ref.in_proj_bias.normal_()  # PyTorch starts biases at 0; make them count
        ref.out_proj.bias.normal_()
    params = (ref.in_proj_weight, ref.in_proj_bias, ref.out_proj.weight, ref.out_proj.bias)
    x = torch.randn(B, T, E, dtype=torch.float64, requires_grad=True)
    mem = torch.randn(B, T + 3, E, dtype=torch.float64)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    tol = dict(rtol=cfg.rtol, atol=cfg.atol)
    with lab.guard("multi_head_attention runs"):
        out, w = multi_head_attention(x, x, x, *params, heads, causal)
        r_out, r_w = ref(x, x, x, attn_mask=~causal, average_attn_weights=False)  # True = blocked
        lab.check_close("causal self-attention = nn.MultiheadAttention", out, r_out, **tol,
                        hint="split E into heads: view(B, T, heads, E // heads).transpose(1, 2)")
        lab.check_close("per-head weights (B, heads, Tq, Tk) = nn.MultiheadAttention's", w, r_w,
                        **tol, hint="return the weights of every head, not their mean")
        wrt = [x, *params]
        g = torch.autograd.grad((out * out.detach().sin()).sum(), wrt)
        g_ref = torch.autograd.grad((r_out * r_out.detach().sin()).sum(), wrt)
        lab.check_close("gradients (input and all four parameters) = nn.MultiheadAttention's",
                        torch.cat([t.reshape(-1) for t in g]),
                        torch.cat([t.reshape(-1) for t in g_ref]), rtol=1e-5, atol=1e-8)
        lab.check_close("cross-attention (key/value from another sequence, Tk != Tq)",
                        multi_head_attention(x, mem, mem, *params, heads)[0],
                        ref(x, mem, mem, need_weights=False)[0], **tol,
                        hint="queries come from query; keys and values from key and value")
        perm = torch.randperm(T)
        xp = x[:, perm]
        lab.check_close("self-attention is permutation-equivariant (no PE, no mask)",
                        multi_head_attention(xp, xp, xp, *params, heads)[0],
                        multi_head_attention(x, x, x, *params, heads)[0][:, perm], **tol)
        x2 = x.detach().clone()
        x2[:, T // 2:] = torch.randn_like(x2[:, T // 2:])  # change the future only
        out2 = multi_head_attention(x2, x2, x2, *params, heads, causal)[0]
        lab.check_close("causal mask: the past is unchanged when the future changes",
                        out2[:, :T // 2], out[:, :T // 2], **tol)


def check_encoding(lab: kit.Lab) -> None:
    with lab.guard("positional_encoding runs"):
        Tp, dp = 64, 32
        loop = torch.tensor([[math.sin(p / 10000 ** (j / dp)) if j % 2 == 0
                              else math.cos(p / 10000 ** ((j - 1) / dp)) for j in range(dp)]
                             for p in range(Tp)], dtype=torch.float64)
        lab.check_close("positional encoding = the paper's formula (float64 scalar loop)",
                        positional_encoding(Tp, dp), loop, rtol=0, atol=1e-5,
                        hint="even columns sin, odd columns cos; exponent 2i/d per pair")


# ------------------------------------------------------------------------------ body
def body(lab: kit.Lab) -> None:
    cfg = Config(n_copy=lab.pick(8, Config.n_copy), d_model=lab.pick(32, Config.d_model),
                 layers=lab.pick(1, Config.layers), steps=lab.pick(100, Config.steps),
                 batch=lab.pick(32, Config.batch), lr=lab.pick(1e-2, 3e-3))
    dev = lab.torch_device

    lab.section("attention, multi-head attention, positional encoding vs PyTorch (rtol 1e-5)")
    check_attention(lab, cfg)
    check_multi_head(lab, cfg)
    check_encoding(lab)

    lab.section(f"copy task: {cfg.n_copy} tokens, {cfg.layers} layer(s), {cfg.heads} heads, "
                f"d={cfg.d_model}, {cfg.steps} steps")
    with lab.guard("the tiny transformer trains with your functions"):
        gen = torch.Generator().manual_seed(lab.seed)
        model = TinyTransformer(cfg).to(dev)
        opt, n, losses = Adam(model.parameters(), cfg.lr), cfg.n_copy, []
        with lab.timer() as t:
            for _ in range(cfg.steps):
                seq = copy_batch(cfg.batch, cfg, gen, dev)
                logits = model(seq[:, :-1])[:, n:]  # positions SEP .. x_{n-1} predict x1 .. xn
                loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                       seq[:, n + 1:].reshape(-1))
                loss.backward()
                opt.step()
                losses.append(loss.item())
        lab.metric("train_seconds", t.seconds, "s")
        lab.metric("final_loss", sum(losses[-10:]) / 10)

        model.eval()
        test = copy_batch(cfg.n_test, cfg, gen, dev)
        with torch.no_grad():  # greedy generation from "x1 .. xn SEP"
            out = test[:, :n + 1]
            for _ in range(n):
                nxt = model(out)[:, -1].argmax(-1, keepdim=True)
                out = torch.cat([out, nxt], dim=1)
        gen_tok = out[:, n + 1:]
        token_acc = (gen_tok == test[:, n + 1:]).float().mean().item()
        seq_acc = (gen_tok == test[:, n + 1:]).all(dim=1).float().mean().item()
        lab.metric("copy_token_accuracy", token_acc)
        lab.metric("copy_sequence_accuracy", seq_acc)
        lab.check_ge("copy task: generated token accuracy (held out)", token_acc, 0.95,
                     f"chance is {1 / cfg.vocab:.2f}")

        lw = model.blocks[0].last_weights[0]  # (heads, T, T): one sequence, every head
        weights = lw.reshape(-1, *lw.shape[-2:]).mean(0).cpu()  # (T, T), heads averaged
        pe = positional_encoding(64, cfg.d_model)
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.3))
        axes[0].plot(losses)
        axes[0].set(yscale="log", xlabel="Adam step", ylabel="cross-entropy", title="copy task")
        axes[1].imshow(pe.T, aspect="auto", cmap="RdBu", vmin=-1, vmax=1)
        axes[1].set(xlabel="position", ylabel="dimension", title="sinusoidal encoding")
        axes[2].imshow(weights, cmap="viridis")
        axes[2].set(xlabel="key position", ylabel="query position",
                    title="layer-1 attention, one sequence")
        lab.savefig(fig, "attention_copy.png")
        graded = [c.passed for c in lab.checks if c.graded]
        lab.conclude(f"A {cfg.layers}-layer transformer built from your attention, multi-head "
                     f"attention and positional encoding copied {n} unseen tokens with "
                     f"{token_acc:.0%} token accuracy ({seq_acc:.0%} of sequences exact; chance "
                     f"{1 / cfg.vocab:.0%}); {sum(graded)} of {len(graded)} graded checks passed.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("attention-transformers", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
