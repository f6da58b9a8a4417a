"""Preference tuning with DPO: a loss on pairs of answers, no reward model, no RL loop.

After supervised fine-tuning, a model is aligned with preferences: for a prompt x, people
(or a judge) marked one answer y_w as better than another y_l. RLHF fits a reward model to
those pairs and then runs PPO. Direct Preference Optimization (Rafailov et al. 2023) shows
that the KL-regularised RLHF optimum has the closed form pi(y|x) ~ pi_ref(y|x) exp(r(x, y) /
beta), so the reward is implicitly r = beta * log(pi / pi_ref), and the Bradley-Terry
likelihood of the preferences becomes a loss on the policy itself:

    h = [log pi(y_w|x) - log pi_ref(y_w|x)] - [log pi(y_l|x) - log pi_ref(y_l|x)]
    L_DPO = -log sigmoid(beta * h)

The log-probabilities are of whole answers: the SUM over the answer's tokens (never the
prompt's, never padding) of each token's log-probability given everything before it, read
from the logits one position earlier. -log sigmoid(z) must be computed stably
(softplus(-z) or logsigmoid), since beta * h can be hundreds. With label smoothing eps
(conservative DPO: a share eps of the labels is assumed flipped) the loss is
(1 - eps) * -log sigmoid(beta h) + eps * -log sigmoid(-beta h). IPO (Azar et al. 2023)
replaces the log-sigmoid, which keeps pushing h up on pairs it already ranks right, by a
squared loss with a finite target: L_IPO = (h - 1 / (2 beta))^2 (the paper's form, with
whole-answer log-probabilities; TRL additionally divides each log-ratio by the answer's
length). Both losses average over the pairs.

You write the answer log-probability, the DPO loss (with label smoothing) and the IPO loss.
They are checked in float64 against torch's cross-entropy and against the papers' formulas
(value and autograd gradient, and beta * h = +-800 for stability). Then a small GRU policy,
first fine-tuned on both orderings of its answers (the reference), is trained with your
DPO loss to prefer sorted answers: on held-out prompts it must rank the chosen answer
above the rejected one.

$ python labs/preference_tuning_dpo.py --quick
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("sequence_logprob", "dpo_loss", "ipo_loss")
DIGITS, SEP = 6, 6  # tokens 0-5 are digits, 6 separates the prompt from the answer
VOCAB = 7


@dataclass
class Config:
    hidden: int = 32  # GRU width of the policy
    sft_steps: int = 80  # supervised steps on both answer orders (the reference)
    dpo_steps: int = 40  # full-batch DPO steps
    lr: float = 1e-2  # Adam learning rate for DPO
    beta: float = 0.1  # DPO's KL strength
    min_accuracy: float = 0.9  # held-out pairs ranked right after DPO


def sequence_logprob(logits: torch.Tensor, ids: torch.Tensor,
                     mask: torch.Tensor) -> torch.Tensor:
    """Log-probability of each sequence's answer: shape (B,), in the dtype of ``logits``.

    ``logits``: (B, T, V); ``logits[:, t]`` is the model's prediction of ``ids[:, t + 1]``.
    ``ids``: (B, T) token ids. ``mask``: (B, T), 1.0 where ``ids`` is an answer token and
    0.0 for prompt tokens and padding (``mask[:, 0]`` is always 0). Returns the SUM over
    answer positions t of log softmax(logits[:, t - 1])[ids[:, t]] (not the mean).
    """
    logp = F.log_softmax(logits[:, :-1], dim=-1)
    tok = torch.gather(logp, 2, ids[:, 1:, None])[..., 0]
    return (tok * mask[:, 1:]).sum(dim=1)


def dpo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor,
             ref_chosen: torch.Tensor, ref_rejected: torch.Tensor, beta: float = 0.1,
             label_smoothing: float = 0.0) -> torch.Tensor:
    """The DPO loss, a scalar: mean over the B pairs (all inputs have shape (B,)).

    h = (policy_chosen - ref_chosen) - (policy_rejected - ref_rejected); per pair
    (1 - label_smoothing) * -log sigmoid(beta h) + label_smoothing * -log sigmoid(-beta h).
    Must stay finite and exact for |beta h| up to 1000 (compute -log sigmoid stably).
    """
    h = (policy_chosen - ref_chosen) - (policy_rejected - ref_rejected)
    z = beta * h
    return ((1 - label_smoothing) * -F.logsigmoid(z) - label_smoothing * F.logsigmoid(-z)).mean()


def ipo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor,
             ref_chosen: torch.Tensor, ref_rejected: torch.Tensor,
             beta: float = 0.1) -> torch.Tensor:
    """The IPO loss, a scalar: mean over the pairs of (h - 1 / (2 beta))^2, h as in DPO."""
    h = (policy_chosen - ref_chosen) - (policy_rejected - ref_rejected)
    return ((h - 1 / (2 * beta)) ** 2).mean()


class Policy(nn.Module):
    """A GRU language model: logits[:, t] predicts token t + 1."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, hidden)
        self.rnn = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, VOCAB)

    def forward(self, ids):
        return self.out(self.rnn(self.emb(ids))[0])


@kit.cached  # the same for every run of this lab in one process
def preference_data(seed: int):
    """Prompts of 3 digits; chosen = the digits sorted, rejected = another order of them."""
    rng = np.random.default_rng(seed)
    prompts = [p for p in itertools.product(range(DIGITS), repeat=3) if len(set(p)) > 1]
    chosen, rejected = [], []
    for p in prompts:
        want = sorted(p)
        others = sorted({q for q in itertools.permutations(p) if list(q) != want})
        chosen.append([*p, SEP, *want])
        rejected.append([*p, SEP, *others[rng.integers(len(others))]])
    order = rng.permutation(len(prompts))
    c, r = torch.tensor(chosen)[order], torch.tensor(rejected)[order]
    mask = torch.zeros(c.shape)
    mask[:, 4:] = 1.0
    n_train = int(0.75 * len(prompts))
    return (c[:n_train], r[:n_train], c[n_train:], r[n_train:]), mask


@kit.cached
def reference_state(seed: int, hidden: int, steps: int):
    """SFT on both orders (so the reference has no preference): the lab's own code."""
    (c, r, *_), mask = preference_data(seed)
    torch.manual_seed(seed)
    model = Policy(hidden)
    x, m = torch.cat([c, r]), mask[:1].expand(2 * len(c), -1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        logp = torch.gather(F.log_softmax(model(x)[:, :-1], -1), 2, x[:, 1:, None])[..., 0]
        loss = -(logp * m[:, 1:]).sum() / m[:, 1:].sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {k: v.clone() for k, v in model.state_dict().items()}


def softplus64(x):
    return np.logaddexp(0.0, np.asarray(x, dtype=np.float64))


def body(lab: kit.Lab) -> None:
    cfg = Config(sft_steps=lab.pick(80, 300), dpo_steps=lab.pick(40, 200))
    torch.manual_seed(lab.seed)

    lab.section("answer log-probabilities vs torch's cross-entropy (float64)")
    B, T = 5, 9
    logits = torch.randn(B, T, VOCAB, dtype=torch.float64) * 3
    ids = torch.randint(0, VOCAB, (B, T))
    mask = torch.zeros(B, T, dtype=torch.float64)
    for i, (start, stop) in enumerate([(3, 9), (5, 9), (2, 4), (6, 7), (4, 8)]):
        mask[i, start:stop] = 1.0  # different prompt lengths, answer lengths and padding
    labels = ids[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
    want = -F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), labels.reshape(-1),
                            reduction="none").view(B, T - 1).sum(1)
    with lab.guard("sequence_logprob runs"):
        lab.check_close("summed answer log-probs (5 sequences, padded)",
                        sequence_logprob(logits, ids, mask), want, rtol=1e-10,
                        hint="logits[:, t-1] scores ids[:, t]; sum, not mean, over the mask")

    lab.section("DPO and IPO losses vs the papers' formulas (float64)")
    n = 8
    pc, pr = -torch.rand(n, dtype=torch.float64) * 20, -torch.rand(n, dtype=torch.float64) * 20
    rc, rr = -torch.rand(n, dtype=torch.float64) * 20, -torch.rand(n, dtype=torch.float64) * 20
    h = ((pc - rc) - (pr - rr)).numpy()

    def dpo_ref(h, beta, eps):
        return float(np.mean((1 - eps) * softplus64(-beta * h) + eps * softplus64(beta * h)))

    def grad_of(fn, *args):
        x = pc.clone().requires_grad_(True)
        return torch.autograd.grad(fn(x, pr, rc, rr, *args), x)[0]

    with lab.guard("dpo_loss runs"):
        got = [float(dpo_loss(pc, pr, rc, rr, b)) for b in (0.1, 0.5)]
        lab.check_close("DPO loss at beta 0.1 and 0.5", got,
                        [dpo_ref(h, 0.1, 0.0), dpo_ref(h, 0.5, 0.0)], rtol=1e-10,
                        hint="h = (pi_c - ref_c) - (pi_r - ref_r); loss -log sigmoid(beta h)")
        lab.check_close("DPO loss with label smoothing 0.2 (beta 0.3)",
                        dpo_loss(pc, pr, rc, rr, 0.3, 0.2), dpo_ref(h, 0.3, 0.2), rtol=1e-10)
        sig = 1 / (1 + np.exp(0.3 * h))  # sigmoid(-beta h)
        lab.check_close("d(DPO)/d(policy_chosen) = -beta sigmoid(-beta h) / B",
                        grad_of(dpo_loss, 0.3), -0.3 * sig / n, rtol=1e-10)
        big = torch.tensor([8000.0, -8000.0, 2500.0, -10.0], dtype=torch.float64)
        zero = torch.zeros(4, dtype=torch.float64)
        lab.check_close("stable at beta h = +800, -800, +250, -1",
                        dpo_loss(big, zero, zero, zero, 0.1),
                        dpo_ref(big.numpy(), 0.1, 0.0), rtol=1e-12,
                        hint="log(sigmoid(z)) is -inf for z < -750: use F.logsigmoid")
    with lab.guard("ipo_loss runs"):
        got = [float(ipo_loss(pc, pr, rc, rr, b)) for b in (0.1, 0.5)]
        lab.check_close("IPO loss at beta 0.1 and 0.5", got,
                        [float(np.mean((h - 1 / (2 * b)) ** 2)) for b in (0.1, 0.5)],
                        rtol=1e-10, hint="target 1 / (2 beta), on the log-ratio difference h")
        lab.check_close("d(IPO)/d(policy_chosen) = 2 (h - 1 / (2 beta)) / B",
                        grad_of(ipo_loss, 0.5), 2 * (h - 1.0) / n, rtol=1e-10)

    lab.section("DPO on a tiny policy: prefer the sorted answer")
    (c, r, c_test, r_test), mask = preference_data(lab.seed)
    reference = Policy(cfg.hidden)
    reference.load_state_dict(reference_state(lab.seed, cfg.hidden, cfg.sft_steps))
    reference.requires_grad_(False)
    policy = copy.deepcopy(reference).requires_grad_(True)
    m_train, m_test = mask[:1].expand(len(c), -1), mask[:1].expand(len(c_test), -1)

    def logps(model, x, m):
        return sequence_logprob(model(x), x, m)

    with torch.no_grad():
        ref_train = logps(reference, c, m_train), logps(reference, r, m_train)
        ref_test = logps(reference, c_test, m_test), logps(reference, r_test, m_test)
    opt = torch.optim.Adam(policy.parameters(), lr=cfg.lr)
    history = []
    with lab.guard("DPO training runs"):
        for step in range(cfg.dpo_steps + 1):
            if step % 5 == 0 or step == cfg.dpo_steps:
                with torch.no_grad():
                    tc, tr = logps(policy, c_test, m_test), logps(policy, r_test, m_test)
                    margin = cfg.beta * ((tc - ref_test[0]) - (tr - ref_test[1]))
                history.append((step, float(margin.mean()), float((margin > 0).float().mean()),
                                float(tc.mean()), float(tr.mean())))
            if step == cfg.dpo_steps:
                break
            loss = dpo_loss(logps(policy, c, m_train), logps(policy, r, m_train),
                            *ref_train, cfg.beta)
            opt.zero_grad()
            loss.backward()
            opt.step()
        step, margin_end, acc_end, *_ = history[-1]
        lab.metric("heldout_reward_accuracy", acc_end)
        lab.metric("heldout_reward_margin", margin_end, "beta * nats")
        lab.check_ge(f"held-out pairs ranked right (implicit reward) >= {cfg.min_accuracy}",
                     acc_end, cfg.min_accuracy, f"{len(c_test)} held-out prompts",
                     hint="the chosen answer's log-ratio must be the one pushed up")
        lab.check_ge("held-out mean reward margin beta*h grows above 0.5 (starts at 0)",
                     margin_end, 0.5)

    steps_, margins, accs, lc, lr_ = zip(*history, strict=True)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax1.plot(steps_, margins, "o-", label="mean margin beta*h")
    ax1.plot(steps_, accs, "s--", label="ranking accuracy")
    ax1.set(xlabel="DPO step", title="held-out preference pairs")
    ax1.legend()
    ax2.plot(steps_, lc, label="chosen")
    ax2.plot(steps_, lr_, label="rejected")
    ax2.set(xlabel="DPO step", ylabel="mean log pi(answer | prompt)",
            title="what DPO moves (held out)")
    ax2.legend()
    lab.savefig(fig, "dpo.png")
    lab.conclude(f"With your answer log-probs and DPO loss, {cfg.dpo_steps} steps moved the "
                 f"held-out ranking accuracy from {accs[0]:.0%} (policy = reference) to "
                 f"{accs[-1]:.0%} and the "
                 f"mean implicit-reward margin from 0 to {margins[-1]:.2f}, while the chosen "
                 f"answers' log-prob went {lc[0]:.2f} -> {lc[-1]:.2f} and the rejected "
                 f"{lr_[0]:.2f} -> {lr_[-1]:.2f}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("preference-tuning-dpo", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
