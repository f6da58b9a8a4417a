"""RL with verifiable rewards: GRPO's group-normalised advantages and clipped surrogate loss.

Reasoning models (DeepSeek-R1, DeepSeekMath) are trained with reinforcement learning on
problems whose answers a program can check: a verifier returns reward 1 for a correct final
answer and 0 otherwise. GRPO (Shao et al. 2024) drops PPO's value network: for each prompt it
samples a group of G completions from the current policy, and each completion's advantage is
its reward standardised within its group, A_i = (r_i - mean(r)) / (std(r) + eps), so a
completion is pushed up exactly when it beats its siblings (a group whose rewards are all
equal teaches nothing, and must give A = 0, not NaN). The policy then takes a few gradient
steps on PPO's clipped surrogate, per token t of completion i with ratio
rho = pi(o_t) / pi_old(o_t): min(rho A_i, clip(rho, 1 - eps_clip, 1 + eps_clip) A_i), a
pessimistic bound that stops one batch from moving the policy far, minus beta times a KL
penalty towards a frozen reference policy, estimated per token with Schulman's unbiased
"k3" estimator exp(q) - q - 1, q = log pi_ref - log pi. The loss averages the tokens of
each completion (its mask: tokens up to and including the first end-of-sequence), then the
completions.

The toy: "a+b=" with digits a, b, answered as decimal digits and an end token; a small GRU
policy first gets a short supervised warm start (so it knows the format), then GRPO on the
verifier's reward alone. You write the verifier, the group advantages and the GRPO loss;
they are checked against hand-made cases and reference formulas (value and autograd
gradient, float64), and the greedy pass rate must rise.

$ python labs/rl_reasoning_grpo.py --quick
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("verify", "group_advantages", "grpo_loss")
PLUS, EQUALS, EOS = 10, 11, 12  # token ids; 0-9 are the digits
VOCAB = 13


@dataclass
class Config:
    digits: int = 6  # operands a, b in 0..digits-1 (10 in a full run)
    max_new: int = 3  # completion length limit: two digits and EOS
    hidden: int = 64  # GRU width of the policy
    sft_steps: int = 30  # supervised warm start: format, and a weak policy
    iters: int = 80  # GRPO iterations (sample, score, update)
    prompts: int = 16  # prompts per iteration
    group: int = 8  # G: completions sampled per prompt
    inner: int = 2  # gradient steps per batch (so the ratio leaves 1 and clipping acts)
    lr: float = 5e-3  # Adam learning rate for GRPO
    clip_eps: float = 0.2  # PPO clip range
    beta: float = 0.04  # KL penalty weight (DeepSeekMath's value)
    min_gain: float = 0.25  # greedy pass rate must rise by this much
    stop_gain: float = 0.5  # stop early once the pass rate has risen this much (quick runs)


def verify(completion: list[int], a: int, b: int) -> float:
    """Verifiable reward: 1.0 if ``completion`` answers a + b correctly, else 0.0.

    ``completion`` is a list of token ids (0-9 digits, ``EOS`` ends the answer, anything
    else is not a digit). The answer is the tokens before the first ``EOS``; tokens after
    it are ignored. Reward 1.0 only when an ``EOS`` is present and the answer is the decimal
    digits of a + b exactly: at least one digit, no leading zero (``0`` alone is fine),
    nothing else.
    """
    if EOS not in completion:
        return 0.0
    answer = completion[:completion.index(EOS)]
    return float(answer == [int(c) for c in str(a + b)])


def group_advantages(rewards: torch.Tensor, group_size: int, eps: float = 1e-4) -> torch.Tensor:
    """GRPO advantages: each reward standardised within its group.

    ``rewards`` has shape (P * G,), the G = ``group_size`` completions of each prompt next to
    each other (prompt 0's G rewards first). Returns shape (P * G,):
    (r - group mean) / (group std + eps), with the sample standard deviation (divide by
    G - 1, as ``torch.std`` and TRL do). A group whose rewards are all equal gets 0.
    """
    r = rewards.view(-1, group_size)  # (P, G)
    return ((r - r.mean(dim=1, keepdim=True)) / (r.std(dim=1, keepdim=True) + eps)).view(-1)


def grpo_loss(logp_new: torch.Tensor, logp_old: torch.Tensor, logp_ref: torch.Tensor,
              advantages: torch.Tensor, mask: torch.Tensor, clip_eps: float = 0.2,
              beta: float = 0.04) -> torch.Tensor:
    """The GRPO loss to minimise (a scalar), differentiable in ``logp_new``.

    ``logp_new``, ``logp_old``, ``logp_ref``: (B, T) log-probabilities of the sampled tokens
    under the current, sampling (old) and reference policies; ``advantages``: (B,);
    ``mask``: (B, T), 1.0 for the completion's tokens and 0.0 for padding (padded positions
    may hold any value). Per token: ratio rho = exp(logp_new - logp_old), surrogate
    min(rho A, clip(rho, 1 - clip_eps, 1 + clip_eps) A), KL estimate exp(q) - q - 1 with
    q = logp_ref - logp_new, token loss -(surrogate - beta * KL). Average the token losses
    over each completion's own masked tokens, then average over the B completions.
    """
    ratio = torch.exp(logp_new - logp_old)
    adv = advantages[:, None]
    surrogate = torch.min(ratio * adv, torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * adv)
    q = logp_ref - logp_new
    kl = torch.exp(q) - q - 1
    per_token = -(surrogate - beta * kl)
    return ((per_token * mask).sum(dim=1) / mask.sum(dim=1)).mean()


class Policy(nn.Module):
    """A GRU language model over the 13 tokens."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, hidden)
        self.rnn = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, VOCAB)

    def forward(self, x, state=None):
        h, state = self.rnn(self.emb(x), state)
        return self.out(h), state


def token_logprobs(policy, prompts, completions):
    """(B, T) log-probabilities of each completion token given the prompt and its past."""
    x = torch.cat([prompts, completions], 1)
    logits, _ = policy(x[:, :-1])
    logits = logits[:, prompts.shape[1] - 1:]  # the positions that predict the completion
    return torch.gather(F.log_softmax(logits, -1), 2, completions[..., None])[..., 0]


@torch.no_grad()
def generate(policy, prompts, max_new, greedy, gen=None):
    """Sample (or argmax) max_new tokens; after EOS a row keeps emitting EOS (padding)."""
    logits, state = policy(prompts)
    last, done, out = logits[:, -1], torch.zeros(len(prompts), dtype=torch.bool), []
    for _ in range(max_new):
        nxt = (last.argmax(-1) if greedy else
               torch.multinomial(F.softmax(last, -1), 1, generator=gen)[:, 0])
        nxt = torch.where(done, torch.full_like(nxt, EOS), nxt)
        out.append(nxt)
        done |= nxt == EOS
        logits, state = policy(nxt[:, None], state)
        last = logits[:, -1]
    return torch.stack(out, 1)


def completion_mask(completions):
    """1.0 up to and including the first EOS, 0.0 after it."""
    is_eos = (completions == EOS).float()
    return ((is_eos.cumsum(1) - is_eos) == 0).float()


def problems(digits):
    a = torch.arange(digits).repeat_interleave(digits)
    b = torch.arange(digits).repeat(digits)
    prompts = torch.stack([a, torch.full_like(a, PLUS), b, torch.full_like(a, EQUALS)], 1)
    return prompts, a.tolist(), b.tolist()


@kit.cached  # the same for every run of this lab in one process
def warm_start(seed, digits, hidden, max_new, steps):
    """A brief supervised warm start (the format, and a weak policy): the lab's own code."""
    prompts, a_list, b_list = problems(digits)
    torch.manual_seed(seed)
    policy = Policy(hidden)
    answers = torch.full((len(prompts), max_new), EOS)
    for i, (a, b) in enumerate(zip(a_list, b_list, strict=True)):
        digits_ = [int(c) for c in str(a + b)]
        answers[i, :len(digits_)] = torch.tensor(digits_)
    opt = torch.optim.Adam(policy.parameters(), lr=3e-3)
    for _ in range(steps):
        logp = token_logprobs(policy, prompts, answers)
        opt.zero_grad()
        (-logp.mean()).backward()
        opt.step()
    return {k: v.clone() for k, v in policy.state_dict().items()}


def pass_rate(policy, prompts, a, b, max_new):
    done = generate(policy, prompts, max_new, greedy=True)
    return float(np.mean([verify(done[i].tolist(), a[i], b[i]) for i in range(len(a))]))


def oracle_advantages(rewards, group_size, eps):
    out = np.empty(len(rewards))
    for start in range(0, len(rewards), group_size):
        g = np.asarray(rewards[start:start + group_size], dtype=np.float64)
        out[start:start + group_size] = (g - g.mean()) / (g.std(ddof=1) + eps)
    return out


def oracle_loss(new, old, ref, adv, mask, clip_eps, beta):
    """Case-wise float64 form: A >= 0 caps the ratio at 1 + eps, A < 0 floors it at 1 - eps."""
    ratio = torch.exp(new - old)
    a = adv[:, None].expand_as(ratio)
    surrogate = torch.where(a >= 0, torch.minimum(ratio, torch.full_like(ratio, 1 + clip_eps)),
                            torch.maximum(ratio, torch.full_like(ratio, 1 - clip_eps))) * a
    kl = torch.exp(ref - new) - (ref - new) - 1
    per_seq = [(-(surrogate[i] - beta * kl[i]))[mask[i] > 0].mean() for i in range(len(new))]
    return torch.stack(per_seq).mean()


def body(lab: kit.Lab) -> None:
    cfg = Config(digits=lab.pick(6, 10), iters=lab.pick(60, 400), sft_steps=lab.pick(30, 60),
                 stop_gain=lab.pick(0.5, 2.0))
    gen = torch.Generator().manual_seed(lab.seed)

    lab.section("the verifier")
    cases = [([7, EOS], 3, 4, 1.0), ([1, 2, EOS], 5, 7, 1.0), ([0, EOS], 0, 0, 1.0),
             ([1, 2, EOS], 0, 1, 0.0), ([0, 7, EOS], 3, 4, 0.0), ([7], 3, 4, 0.0),
             ([7, EOS, 3], 3, 4, 1.0), ([EOS, 7], 3, 4, 0.0), ([1, PLUS, EOS], 0, 1, 0.0),
             ([1, EOS, 2, EOS], 5, 7, 0.0), ([1, 5], 9, 6, 0.0), ([1, 5, EOS], 9, 6, 1.0)]
    with lab.guard("verify runs"):
        got = [verify(list(c), a, b) for c, a, b, _ in cases]
        lab.check_equal("rewards of 12 hand-made completions", got, [r for *_, r in cases],
                        hint="answer = tokens before the first EOS; EOS required; no leading 0")

    lab.section("group-normalised advantages")
    G = 4
    rewards = torch.tensor([1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0.5, 0.25, 1, 0,
                            1, 1, 1, 1], dtype=torch.float32)  # 5 groups of 4; two all-equal
    with lab.guard("group_advantages runs"):
        adv = group_advantages(rewards.clone(), G)
        want = oracle_advantages(rewards.tolist(), G, 1e-4)
        lab.check_close("advantages = (r - group mean) / (group std + 1e-4)", adv, want,
                        rtol=1e-5, atol=1e-6, hint="sample std (n - 1) within each group")
        lab.check_equal("all-equal groups get advantage 0 (finite)",
                        [float(x) for x in adv[4:8]] + [float(x) for x in adv[16:20]],
                        [0.0] * 8)

    lab.section("GRPO loss vs the case-wise formula (float64)")
    B, T = 6, 5
    torch.manual_seed(lab.seed)
    old = -torch.rand(B, T, dtype=torch.float64) * 2 - 0.1
    new = (old + torch.linspace(-0.6, 0.6, B * T, dtype=torch.float64).view(B, T)[
        :, torch.randperm(T)]).requires_grad_(True)  # ratios inside and outside the clip
    ref = old + 0.3 * torch.randn(B, T, dtype=torch.float64)
    advs = torch.tensor([1.5, -0.7, 0.0, 2.0, -1.2, 0.4], dtype=torch.float64)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0],
                         [1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], dtype=torch.float64)
    new_pad = (new.detach() + (1 - mask) * 5.0).requires_grad_(True)  # junk in the padding
    want = oracle_loss(new_pad, old, ref, advs, mask, 0.2, 0.04)
    (want_grad,) = torch.autograd.grad(want, new_pad)
    with lab.guard("grpo_loss runs"):
        loss = grpo_loss(new_pad, old, ref, advs, mask, 0.2, 0.04)
        lab.check_close("loss value (clip 0.2, beta 0.04)", loss, want, rtol=1e-10,
                        hint="min(rho A, clip(rho) A); mean per completion, then over them")
        (grad,) = torch.autograd.grad(loss, new_pad)
        lab.check_close("gradient wrt logp_new (zero where clipped)", grad, want_grad,
                        rtol=1e-8, atol=1e-12)
        loss2 = grpo_loss(new_pad, old, ref, advs, mask, 0.1, 0.5)
        lab.check_close("loss value (clip 0.1, beta 0.5)", loss2,
                        oracle_loss(new_pad, old, ref, advs, mask, 0.1, 0.5), rtol=1e-10)

    lab.section("GRPO on 'a+b=' with the verifier's reward")
    prompts, a_list, b_list = problems(cfg.digits)
    policy = Policy(cfg.hidden)
    policy.load_state_dict(warm_start(lab.seed, cfg.digits, cfg.hidden, cfg.max_new,
                                      cfg.sft_steps))
    reference = copy.deepcopy(policy).requires_grad_(False)
    start = pass_rate(policy, prompts, a_list, b_list, cfg.max_new)
    opt = torch.optim.Adam(policy.parameters(), lr=cfg.lr)
    curve, kls = [(0, start)], []
    with lab.guard("GRPO training runs"):
        for it in range(1, cfg.iters + 1):
            idx = torch.randint(0, len(prompts), (cfg.prompts,), generator=gen)
            idx = idx.repeat_interleave(cfg.group)  # G samples of each prompt, side by side
            batch = prompts[idx]
            comp = generate(policy, batch, cfg.max_new, greedy=False, gen=gen)
            m = completion_mask(comp)
            r = torch.tensor([verify(comp[i].tolist(), a_list[j], b_list[j])
                              for i, j in enumerate(idx.tolist())], dtype=torch.float32)
            adv = group_advantages(r, cfg.group)
            with torch.no_grad():
                lp_old = token_logprobs(policy, batch, comp)
                lp_ref = token_logprobs(reference, batch, comp)
            for _ in range(cfg.inner):
                lp = token_logprobs(policy, batch, comp)
                loss = grpo_loss(lp, lp_old, lp_ref, adv, m, cfg.clip_eps, cfg.beta)
                opt.zero_grad()
                loss.backward()
                opt.step()
            kls.append(float(((torch.exp(lp_ref - lp) - (lp_ref - lp) - 1) * m).sum() / m.sum()))
            if it % 5 == 0 or it == cfg.iters:
                curve.append((it, pass_rate(policy, prompts, a_list, b_list, cfg.max_new)))
                if curve[-1][1] - start >= cfg.stop_gain:
                    break
        end = curve[-1][1]
        lab.metric("pass_rate_before", start)
        lab.metric("pass_rate_after", end)
        lab.metric("kl_to_reference", kls[-1], "nats/token")
        lab.check_ge(f"greedy pass rate rises by >= {cfg.min_gain} ({len(prompts)} problems)",
                     end - start, cfg.min_gain, f"{start:.2f} -> {end:.2f}",
                     hint="minimise -(surrogate - beta KL): mind the sign")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax1.plot(*zip(*curve, strict=True), "o-")
    ax1.set(xlabel="GRPO iteration", ylabel="greedy pass rate", ylim=(0, 1.02),
            title="verifiable reward: a+b")
    if kls:
        ax2.plot(range(1, len(kls) + 1), kls)
    ax2.set(xlabel="GRPO iteration", ylabel="KL(policy || reference) per token (k3)",
            title="how far the policy moved")
    lab.savefig(fig, "grpo.png")
    if len(curve) > 1 and kls:
        lab.conclude(f"With your verifier, group advantages and clipped GRPO loss, the greedy "
                     f"pass rate on {len(prompts)} additions went from {curve[0][1]:.0%} to "
                     f"{curve[-1][1]:.0%} in {curve[-1][0]} iterations, ending {kls[-1]:.3f} "
                     f"nats/token from the reference policy.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("rl-reasoning-grpo", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
