"""Mixture of experts: top-k routing, the load-balancing loss, capacity and dropped tokens.

A mixture-of-experts (MoE) layer replaces a Transformer's one MLP by E expert MLPs and a
router: a linear map that scores each token against each expert. Each token goes to its
k best experts (Mixtral: k = 2 of 8; Switch Transformer: k = 1) and its output is their
weighted sum, with the weights the router's softmax probabilities of the chosen experts,
renormalised over the k. The layer holds E times the parameters of a dense MLP, but each
token pays for only k experts. Routers collapse: a few experts get most tokens, learn
fastest and attract even more. The Switch Transformer's auxiliary loss fights this:
loss = E * sum_i f_i * P_i, where f_i is the share of tokens routed to expert i and P_i
the router's mean probability for i; it is smallest when both are uniform. On hardware
each expert gets a fixed buffer, its *capacity*; tokens beyond it are *dropped* (their
MoE output is zero and only the residual connection carries them), so balance matters.

You write top-k routing, the load-balancing loss, the capacity rule and the MoE forward
pass. Oracles come from Hugging Face transformers: Mixtral's router and sparse MoE block
(random weights, built from a tiny MixtralConfig), Mixtral's and Switch Transformer's
load_balancing_loss_func (value and autograd gradient), and the Switch router's
capacity mask; with one expert the layer must equal a dense MLP. Then the aux loss alone
rebalances a skewed router and the dropped tokens at each capacity factor fall.

$ python labs/mixture_of_experts.py --quick
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

EXERCISES = ("top_k_route", "load_balancing_loss", "apply_capacity", "moe_forward")


@dataclass
class Config:
    d: int = 16  # model width
    ffn: int = 32  # each expert's hidden width (SwiGLU)
    experts: int = 4  # E
    k: int = 2  # experts per token (Mixtral style)
    tokens: int = 96  # N tokens in a batch
    capacity: int = 40  # per-expert buffer for the drop checks (N * k / E = 48 on average)
    balance_steps: int = 150  # Adam steps on the aux loss alone
    tol: float = 1e-5  # float32 tolerance against transformers


def top_k_route(logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Route each of N tokens to its k most probable experts.

    ``logits``: (N, E) router scores. Probabilities are the softmax over the E experts; pick
    the k largest, in decreasing order (as torch.topk returns them), and renormalise those
    k probabilities to sum to 1. Returns ``(weights, experts)``: float (N, k) weights and
    integer (N, k) expert ids.
    """
    probs = torch.softmax(logits, dim=-1)
    top, idx = probs.topk(k, dim=-1)
    return top / top.sum(dim=-1, keepdim=True), idx


def load_balancing_loss(logits: torch.Tensor, k: int) -> torch.Tensor:
    """The Switch Transformer auxiliary loss ``E * sum_i f_i * P_i`` (a 0-dim tensor).

    ``logits``: (N, E). f_i: the number of tokens that have expert i among their k most
    probable experts, divided by N (so the f_i sum to k). P_i: the mean over tokens of the
    softmax probability of expert i (over all E, not renormalised). The result must carry
    the gradient of P with respect to ``logits`` (f is a count: it has none). Balanced
    routing gives k; every token sure of one expert (k = 1) gives E.
    """
    n, e = logits.shape
    probs = torch.softmax(logits, dim=-1)
    chosen = probs.topk(k, dim=-1).indices  # (N, k)
    f = torch.zeros(e).index_add_(0, chosen.reshape(-1), torch.ones(n * k)) / n
    return e * (f * probs.mean(dim=0)).sum()


def apply_capacity(experts: torch.Tensor, num_experts: int, capacity: int) -> torch.Tensor:
    """Which routed (token, choice) pairs fit in their expert's buffer of ``capacity`` slots.

    ``experts``: int64 (N, k), the experts chosen for each token, best first. Slots are
    handed out by priority: every token's first choice, in token order, before any token's
    second choice, and so on (GShard / Switch Transformer). An expert accepts pairs until it
    holds ``capacity``; later pairs for it are dropped. Returns a bool (N, k) mask, True
    where the pair is kept.
    """
    n, k = experts.shape
    keep = torch.zeros(n, k, dtype=torch.bool)
    load = [0] * num_experts
    for j in range(k):
        for t in range(n):
            e = int(experts[t, j])
            if load[e] < capacity:
                load[e] += 1
                keep[t, j] = True
    return keep


def moe_forward(x: torch.Tensor, router_weight: torch.Tensor, experts: list, k: int,
                capacity: int | None = None) -> torch.Tensor:
    """The sparse MoE layer's output for tokens ``x`` (N, d).

    Router logits are ``x @ router_weight.T`` (router_weight: (E, d)); route with
    ``top_k_route``; with a ``capacity``, keep only the pairs ``apply_capacity`` keeps
    (dropped pairs add nothing and the kept weights are not renormalised). Run each expert
    (``experts[i]`` maps (n, d) to (n, d)) once, on just the tokens routed to it and kept,
    and return out (N, d) with ``out[t] = sum_j weights[t, j] * experts[e[t, j]](x[t])``
    over the kept choices j. No residual: the caller adds x.
    """
    weights, chosen = top_k_route(x @ router_weight.T, k)
    keep = (torch.ones_like(chosen, dtype=torch.bool) if capacity is None
            else apply_capacity(chosen, len(experts), capacity))
    out = torch.zeros_like(x)
    for i, expert in enumerate(experts):
        tok, slot = torch.where((chosen == i) & keep)
        if len(tok):
            out.index_add_(0, tok, weights[tok, slot, None] * expert(x[tok]))
    return out


class Expert:
    """One SwiGLU expert ``down(silu(gate x) * up x)`` on Mixtral's weights; counts its rows."""

    def __init__(self, gate_up: torch.Tensor, down: torch.Tensor) -> None:
        self.gate_up, self.down, self.rows, self.calls = gate_up, down, 0, 0

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.rows, self.calls = self.rows + x.shape[0], self.calls + 1
        gate, up = F.linear(x, self.gate_up).chunk(2, dim=-1)
        return F.linear(F.silu(gate) * up, self.down)


def mixtral_block(cfg: Config, num_experts: int, k: int, seed: int):
    """A MixtralSparseMoeBlock with random weights and the same experts as plain callables."""
    from transformers import MixtralConfig
    from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock

    mcfg = MixtralConfig(hidden_size=cfg.d, intermediate_size=cfg.ffn,
                         num_local_experts=num_experts, num_experts_per_tok=k)
    mcfg._experts_implementation = "eager"
    block = MixtralSparseMoeBlock(mcfg).eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in block.parameters():
            p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[-1]))
    w = block.experts
    return block, [Expert(w.gate_up_proj[i].detach(), w.down_proj[i].detach())
                   for i in range(num_experts)]


def capacity_oracle(experts: torch.Tensor, num_experts: int, capacity: int) -> torch.Tensor:
    """Choice-major priority by a cumulative count (GShard's position-in-expert)."""
    onehot = F.one_hot(experts.T.reshape(-1), num_experts)  # (k*N, E), first choices first
    position = (onehot.cumsum(0) * onehot).sum(-1)  # 1-based slot in the expert's buffer
    return (position <= capacity).reshape(experts.shape[1], -1).T


def dropped_pairs(keep: torch.Tensor) -> list:
    """The (token, choice) pairs a keep mask drops, as a short list to compare."""
    return [tuple(p) for p in torch.nonzero(~keep).tolist()]


def body(lab: kit.Lab) -> None:
    from transformers import SwitchTransformersConfig
    from transformers.models.mixtral.modeling_mixtral import load_balancing_loss_func as mix_lb
    from transformers.models.switch_transformers import modeling_switch_transformers as sw

    cfg = Config(tokens=lab.pick(96, 512), capacity=lab.pick(40, 200))
    g = torch.Generator().manual_seed(lab.seed)
    n, e = cfg.tokens, cfg.experts
    x = torch.randn(n, cfg.d, generator=g)
    block, experts = mixtral_block(cfg, e, cfg.k, lab.seed)
    logits = F.linear(x, block.gate.weight).detach()

    lab.section("top-k routing vs Mixtral's router")
    with lab.guard("top_k_route runs"):
        weights, chosen = top_k_route(logits, cfg.k)
        _, ref_w, ref_i = block.gate(x)
        lab.check_equal("experts = Mixtral's top-k, best first (tokens that differ)",
                        int((chosen != ref_i).any(-1).sum()), 0,
                        hint="torch.topk on the probabilities returns them in decreasing order")
        lab.check_close("weights = Mixtral's renormalised top-k probabilities", weights,
                        ref_w.detach(), rtol=cfg.tol, hint="softmax over experts (dim=-1), "
                        "then divide the k chosen probabilities by their sum")

    lab.section("load-balancing loss vs transformers (Mixtral and Switch)")
    with lab.guard("load_balancing_loss runs"):
        for k in (1, 2):
            lg = logits.clone().requires_grad_(True)
            loss = load_balancing_loss(lg, k)
            lg_ref = logits.clone().requires_grad_(True)
            ref = mix_lb((lg_ref,), e, k)
            lab.check_close(f"k={k}: loss = Mixtral's load_balancing_loss_func", loss,
                            ref.detach(), rtol=cfg.tol,
                            hint="f_i counts tokens with expert i among their top k, over N")
            grad = (torch.autograd.grad(loss, lg)[0] if loss.requires_grad
                    else torch.zeros_like(logits))
            lab.check_close(f"k={k}: gradient w.r.t. the logits = autograd of the oracle", grad,
                            torch.autograd.grad(ref, lg_ref)[0], rtol=1e-4, atol=1e-7,
                            hint="keep P_i = softmax(logits).mean(0) in the graph (no detach)")
        probs = torch.softmax(logits, -1)[None]
        lab.check_close("k=1: = Switch Transformer's load_balancing_loss_func",
                        load_balancing_loss(logits, 1),
                        sw.load_balancing_loss_func(probs, probs.argmax(-1)), rtol=cfg.tol)
        sure = torch.full((n, e), -30.0)
        sure[:, 0] = 30.0  # every token certain of expert 0
        lab.check_close("k=1, collapsed router: loss = E", load_balancing_loss(sure, 1),
                        float(e), rtol=1e-6)
        fair = torch.eye(e).repeat(n // e, 1) * 3.0  # token t prefers expert t mod E
        lab.check_close("k=1, balanced router: loss = 1", load_balancing_loss(fair, 1), 1.0,
                        rtol=1e-6, hint="multiply by E: E * sum_i f_i P_i")

    lab.section("capacity: dropped tokens")
    with lab.guard("apply_capacity runs"):
        top1 = logits.argmax(-1, keepdim=True)
        scfg = SwitchTransformersConfig(d_model=cfg.d, num_experts=e, router_bias=False,
                                        expert_capacity=cfg.capacity // 2,
                                        router_dtype="float32", router_jitter_noise=0.0)
        router = sw.SwitchTransformersTop1Router(scfg).eval()
        with torch.no_grad():
            router.classifier.weight.copy_(block.gate.weight)
            mask = router(x[None])[0][0].sum(-1).bool()
        kept1 = apply_capacity(top1, e, cfg.capacity // 2)
        lab.check_equal(f"k=1: dropped tokens = Switch router's (capacity {cfg.capacity // 2})",
                        dropped_pairs(kept1), dropped_pairs(mask[:, None]),
                        hint="an expert keeps its first `capacity` tokens in token order")
        routes = logits.topk(cfg.k, dim=-1).indices  # the lab's own routing, best first
        keep = apply_capacity(routes, e, cfg.capacity)
        ref_keep = capacity_oracle(routes, e, cfg.capacity)
        lab.check_equal(f"k=2: dropped (token, choice) pairs = choice-major priority "
                        f"(capacity {cfg.capacity})", dropped_pairs(keep),
                        dropped_pairs(ref_keep),
                        hint="all first choices (in token order) before any second choice")

    lab.section("the MoE layer vs Mixtral's sparse block")
    with lab.guard("moe_forward runs"):
        with torch.no_grad():
            ref = block(x[None])[0]
            for ex in experts:
                ex.rows = ex.calls = 0
            out = moe_forward(x, block.gate.weight, experts, cfg.k)
        lab.check_close("out = MixtralSparseMoeBlock", out, ref, rtol=cfg.tol, atol=1e-6,
                        hint="weight each expert's output by its own choice's weight")
        lab.check_equal("each expert ran once (calls <= 1) on just its tokens (rows = N * k)",
                        (max(ex.calls for ex in experts) <= 1, sum(ex.rows for ex in experts)),
                        (True, n * cfg.k), hint="gather each expert's tokens into one batch; "
                        "do not run every expert on every token")
        with torch.no_grad():
            w_ref, i_ref = block.gate(x)[1:]
            dropped = ~capacity_oracle(i_ref, e, cfg.capacity)
            lost = torch.zeros_like(ref)
            for t, j in zip(*torch.where(dropped), strict=True):
                lost[t] += w_ref[t, j] * experts[int(i_ref[t, j])](x[t:t + 1])[0]
            out_cap = moe_forward(x, block.gate.weight, experts, cfg.k, cfg.capacity)
        lab.check_close(f"with capacity {cfg.capacity}: out = Mixtral minus the dropped pairs",
                        out_cap, ref - lost,
                        rtol=cfg.tol, atol=1e-6,
                        hint="drop the pairs; do not renormalise the kept weights")
        dense_block, (dense,) = mixtral_block(cfg, 1, 1, lab.seed + 1)
        with torch.no_grad():
            gate, up = dense.gate_up.chunk(2, dim=0)  # the dense MLP: down(silu(gate) * up)
            dense_out = (F.silu(x @ gate.T) * (x @ up.T)) @ dense.down.T
            one = moe_forward(x, dense_block.gate.weight, [dense], 1)
        lab.check_close("one expert, k=1: the layer = a dense SwiGLU MLP", one, dense_out,
                        rtol=cfg.tol, atol=1e-6)

    balance(lab, cfg, g)


def balance(lab: kit.Lab, cfg: Config, g: torch.Generator) -> None:
    """Train a skewed router on the aux loss alone; watch loads and drops even out."""
    lab.section("the aux loss rebalances a collapsed router (k=1)")
    n, e = cfg.tokens, cfg.experts
    mu = F.one_hot(torch.tensor(0), cfg.d) * 2.0
    x = torch.randn(n, cfg.d, generator=g) + mu  # tokens share a direction...
    w = (torch.randn(e, cfg.d, generator=g) * 0.3 + F.one_hot(torch.tensor(0), e)[:, None]
         * mu).requires_grad_(True)  # ...that expert 0's router row points along
    opt = torch.optim.Adam([w], lr=0.05)
    shares = {}
    factors = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0]
    drops: dict[str, list] = {}
    with lab.guard("balancing runs"):
        for phase in ("before", "after"):
            if phase == "after":
                for _ in range(cfg.balance_steps):
                    opt.zero_grad()
                    loss = load_balancing_loss(x @ w.T, 1)
                    if not loss.requires_grad:
                        break
                    loss.backward()
                    opt.step()
            top1 = (x @ w.T).detach().argmax(-1, keepdim=True)
            shares[phase] = torch.bincount(top1[:, 0], minlength=e).float() / n
            drops[phase] = [1 - float(apply_capacity(top1, e, math.ceil(f * n / e)).float()
                                      .mean()) for f in factors]
        lab.check_le("after training on the aux loss: largest expert share (k=1)",
                     float(shares["after"].max()), 1.5 / e,
                     hint="the loss must pass the gradient of P_i to the router")
        for phase in shares:
            lab.metric(f"largest_share_{phase}", float(shares[phase].max()))
        lab.table("dropped", ["capacity factor", "dropped before", "dropped after"],
                  [[f, b, a] for f, b, a in zip(factors, drops["before"], drops["after"],
                                                strict=True)],
                  title="share of tokens dropped, capacity = ceil(factor * N / E)")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    if len(shares) == 2:
        idx = torch.arange(e)
        ax1.bar(idx - 0.2, shares["before"], 0.4, label="skewed router")
        ax1.bar(idx + 0.2, shares["after"], 0.4, label=f"after {cfg.balance_steps} aux steps")
        ax1.axhline(1 / e, color="k", lw=0.8, ls="--")
        ax1.set(xlabel="expert", ylabel="share of tokens", title="load per expert (k=1)")
        ax1.legend()
        ax2.plot(factors, drops["before"], "o-", label="skewed router")
        ax2.plot(factors, drops["after"], "s-", label="balanced by the aux loss")
        ax2.set(xlabel="capacity factor", ylabel="tokens dropped",
                title="capacity = factor * N / E")
        ax2.legend()
        i = factors.index(1.25)
        lab.conclude(f"Your MoE layer matched Mixtral's sparse block and a dense MLP with one "
                     f"expert; your Switch aux loss alone cut the busiest expert's share from "
                     f"{float(shares['before'].max()):.0%} to {float(shares['after'].max()):.0%}"
                     f", and the tokens dropped at capacity factor 1.25 from "
                     f"{drops['before'][i]:.0%} to {drops['after'][i]:.0%}.")
    lab.savefig(fig, "mixture_of_experts.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("mixture-of-experts", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
