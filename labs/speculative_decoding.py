"""Speculative decoding: a small draft model guesses, the big target model checks in one pass.

Decoding is memory-bound: one forward pass of the target model over k + 1 tokens costs
about as much as over one. Speculative decoding (Leviathan et al. 2023; Chen et al.
2023) spends that slack. A cheap *draft* model proposes k tokens one by one; the target
scores the context plus all k proposals in a single call, which gives its next-token
distribution p after every prefix. Greedy: accept proposals while they equal the target's
argmax, then append the target's own token at the first mismatch (or a bonus token after
k accepted); the output is exactly the target's greedy output. Sampling: accept
proposal x (drawn from the draft's q) with probability min(1, p(x) / q(x)); at the first
rejection draw from the residual max(0, p - q), renormalised; after k acceptances draw a
bonus token from p. Every emitted token is then distributed exactly as the target's own
sample, and each proposal is accepted with probability alpha = sum_x min(p(x), q(x)) =
1 - TV(p, q), so a better draft means more tokens per target call: (1 - alpha^(k+1)) /
(1 - alpha) on average.

You write both versions. Checks: greedy output = the target's greedy output token for
token, and the number accepted in each round = what the draft and target greedy runs
predict; an identical draft gives k + 1 tokens per target call; the sampled tokens'
joint distribution = the target's (chi-square test on thousands of draws from Markov
models built so the acceptance rate is the same in every context), and the acceptance
rate = 1 - lambda * TV for drafts of every quality lambda, within 4 standard errors.

$ python labs/speculative_decoding.py --quick
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import kit
import matplotlib
import torch
from scipy import stats

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("speculative_greedy", "speculative_sample")


@dataclass
class Config:
    vocab: int = 16  # tokens of the small causal LM (greedy part)
    width: int = 16  # its hidden width
    n_new: int = 24  # tokens generated in the greedy checks
    k: int = 4  # draft tokens per round
    noise: tuple = (0.0, 0.03, 0.1, 0.3, 1.0)  # draft = target weights + noise * N(0, 1)
    markov_vocab: int = 3  # states of the Markov models (sampling part)
    draws: int = 3000  # samples for the chi-square test (3 tokens each: 27 cells)
    rate_calls: int = 100  # calls per draft quality for the acceptance rate
    lambdas: tuple = (0.0, 0.5, 1.0)  # draft = (1 - lambda) p + lambda s


def speculative_greedy(target, draft, prompt: list, n_new: int,
                       k: int) -> tuple[list, list]:
    """Greedy speculative decoding; returns ``(tokens, accepted)``.

    A model maps a 1-D LongTensor of token ids (T,) to next-token probabilities (T, V):
    row t is the distribution after tokens[: t + 1]. Each round: the draft proposes k
    tokens greedily (always k, even near the end); the target is called once on context +
    proposals; accept proposals while each equals the target's argmax at its position,
    then append the target's argmax after the accepted ones (a correction, or a bonus
    token when all k were accepted). ``accepted``: the number of proposals accepted in
    each round (one target call per round); ``tokens``: the first n_new tokens emitted.
    """
    out: list = []
    accepted: list = []
    while len(out) < n_new:
        ctx = list(prompt) + out
        props: list = []
        for _ in range(k):
            props.append(int(draft(torch.tensor(ctx + props))[-1].argmax()))
        best = target(torch.tensor(ctx + props))[len(ctx) - 1:].argmax(-1)  # (k + 1,)
        n = 0
        while n < k and props[n] == int(best[n]):
            n += 1
        accepted.append(n)
        out += props[:n] + [int(best[n])]
    return out[:n_new], accepted


def speculative_sample(target, draft, prompt: list, n_new: int, k: int,
                       generator: torch.Generator) -> tuple[list, list]:
    """Speculative sampling; returns ``(tokens, accepted)`` like ``speculative_greedy``.

    Each round: draw k proposals x_i from the draft's distributions q_i (always k); call
    the target once for p_0 .. p_k. Accept x_i with probability min(1, p_i(x_i) / q_i(x_i))
    (draw u uniform in [0, 1), accept if u < the ratio), in order; at the first rejection
    emit a token drawn from max(0, p_i - q_i) renormalised and end the round; if all k were
    accepted, emit a bonus token drawn from p_k. Draw every random number from
    ``generator`` (torch.multinomial and torch.rand take ``generator=``), so the same seed
    gives the same tokens.
    """
    out: list = []
    accepted: list = []
    while len(out) < n_new:
        ctx = list(prompt) + out
        props: list = []
        qs = []
        for _ in range(k):
            qs.append(draft(torch.tensor(ctx + props))[-1])
            props.append(int(torch.multinomial(qs[-1], 1, generator=generator)))
        p = target(torch.tensor(ctx + props))[len(ctx) - 1:]  # (k + 1, V)
        n = 0
        while n < k:
            u = torch.rand((), generator=generator, dtype=p.dtype)
            if u >= torch.clamp(p[n, props[n]] / qs[n][props[n]], max=1.0):
                break
            n += 1
        last = p[k] if n == k else torch.clamp(p[n] - qs[n], min=0.0)
        accepted.append(n)
        out += props[:n] + [int(torch.multinomial(last / last.sum(), 1, generator=generator))]
    return out[:n_new], accepted


class TinyLM:
    """A causal LM cheap enough to call thousands of times (float64): from the embeddings
    of the current token, the previous one and the mean so far, h = tanh(e A + e_prev B +
    mean C), and the next-token distribution is softmax(6 h U / sqrt(width))."""

    def __init__(self, cfg: Config, g: torch.Generator) -> None:
        v, d = cfg.vocab, cfg.width
        self.w = {n: torch.randn(*s, generator=g, dtype=torch.float64) for n, s in
                  {"E": (v, d), "A": (d, d), "B": (d, d), "C": (d, d), "U": (d, v)}.items()}
        self.calls = 0

    def noisy(self, sigma: float, seed: int) -> TinyLM:
        """This model with sigma * (the same N(0, 1) noise for every sigma) on its weights."""
        g = torch.Generator().manual_seed(seed)
        twin = TinyLM.__new__(TinyLM)
        twin.w = {n: w + sigma * torch.randn(w.shape, generator=g, dtype=w.dtype)
                  for n, w in self.w.items()}
        twin.calls = 0
        return twin

    def __call__(self, tokens: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        e = self.w["E"][tokens]  # (T, d)
        prev = torch.cat([torch.zeros_like(e[:1]), e[:-1]])
        mean = e.cumsum(0) / torch.arange(1, len(tokens) + 1, dtype=e.dtype)[:, None]
        h = torch.tanh(e @ self.w["A"] + prev @ self.w["B"] + mean @ self.w["C"])
        return torch.softmax(6 * h @ self.w["U"] / math.sqrt(h.shape[-1]), dim=-1)


def greedy_oracle(target, draft, prompt: list, n_new: int, k: int) -> tuple[list, list]:
    """The target's plain greedy output, and each round's accepted count predicted from the
    draft's own greedy runs (where its k guesses first differ from the target's tokens)."""
    seq = list(prompt)
    for _ in range(n_new + k + 1):
        seq.append(int(target(torch.tensor(seq))[-1].argmax()))
    y = seq[len(prompt):]
    rounds, s = [], 0
    while s < n_new:
        guess = list(prompt) + y[:s]
        for _ in range(k):
            guess.append(int(draft(torch.tensor(guess))[-1].argmax()))
        n = next((i for i in range(k) if guess[len(prompt) + s + i] != y[s + i]), k)
        rounds.append(n)
        s += n + 1
    return y[:n_new], rounds


def markov_pair(v: int, lam: float, g: torch.Generator):
    """Target p and draft q = (1 - lam) p + lam s as Markov chains whose rows are the same
    probabilities in shuffled order, so sum_x min(p, q) is one number for every context."""
    b = torch.arange(v, 0, -1, dtype=torch.float64)
    b = b / b.sum()  # (3, 2, 1) / 6 for 3 states: no tiny cells for the chi-square test
    rho = torch.roll(torch.arange(v), 1)
    perms = [torch.randperm(v, generator=g) for _ in range(v)]
    p = torch.stack([torch.zeros(v, dtype=torch.float64).index_copy(0, s, b) for s in perms])
    s = torch.stack([torch.zeros(v, dtype=torch.float64).index_copy(0, sg, b[rho])
                     for sg in perms])
    alpha = 1 - lam * 0.5 * float((b - b[rho]).abs().sum())
    q = (1 - lam) * p + lam * s
    return (lambda t: p[t]), (lambda t: q[t]), p, alpha


def body(lab: kit.Lab) -> None:
    cfg = Config(draws=lab.pick(3000, 12000), rate_calls=lab.pick(100, 300),
                 lambdas=lab.pick((0.0, 0.5, 1.0), (0.0, 0.25, 0.5, 0.75, 1.0)))
    g = torch.Generator().manual_seed(lab.seed)
    target = TinyLM(cfg, g)
    prompt = torch.randint(0, cfg.vocab, (5,), generator=g).tolist()
    greedy_rows = []

    lab.section("greedy: the target's own output, fewer target calls")
    with lab.guard("speculative_greedy runs"):
        for sigma in cfg.noise:
            draft = target.noisy(sigma, lab.seed + 1000)  # noise unrelated to the weights
            y, rounds = greedy_oracle(target, draft, prompt, cfg.n_new, cfg.k)
            target.calls = 0
            tokens, accepted = speculative_greedy(target, draft, prompt, cfg.n_new, cfg.k)
            calls = target.calls
            lab.check_equal(f"draft noise {sigma}: tokens = target's greedy output", tokens, y,
                            hint="at the first mismatch emit the target's token, not the draft's")
            lab.check_equal(f"draft noise {sigma}: accepted per round = predicted", accepted,
                            rounds, hint="count only accepted proposals; after k accepted add "
                                         "the target's bonus token")
            greedy_rows.append([sigma, calls, cfg.n_new / max(calls, 1),
                                sum(accepted) / max(cfg.k * len(accepted), 1), len(accepted)])
        lab.check_equal("one target call per round (all drafts: calls = rounds)",
                        sum(r[1] for r in greedy_rows), sum(r[4] for r in greedy_rows),
                        hint="score all k proposals with a single target call")
        lab.check_equal("identical draft: k + 1 tokens per target call (target calls)",
                        greedy_rows[0][1], math.ceil(cfg.n_new / (cfg.k + 1)))
        lab.table("greedy", ["draft noise", "target calls", "tokens per call",
                             "proposals accepted", "rounds"], greedy_rows,
                  title=f"{cfg.n_new} tokens, k = {cfg.k} (plain greedy: {cfg.n_new} calls)")

    lab.section("sampling: the target's distribution, exactly")
    v, rates = cfg.markov_vocab, []
    pval = float("nan")
    with lab.guard("speculative_sample runs"):
        tp, dq, p, _ = markov_pair(v, 1.0, g)  # the worst draft: residuals matter most
        gen = torch.Generator().manual_seed(lab.seed)
        counts = torch.zeros(v, v, v)
        for _ in range(cfg.draws):
            a, b_, c = speculative_sample(tp, dq, [0], 3, 2, gen)[0]
            counts[a, b_, c] += 1
        expected = p[0][:, None, None] * p[:, :, None] * p[None, :, :] * cfg.draws
        pval = float(stats.chisquare(counts.flatten().numpy(),
                                     expected.flatten().numpy()).pvalue)
        lab.check_ge(f"first 3 tokens ~ target's chain (chi-square p, {cfg.draws} draws, "
                     f"{v ** 3} cells)", pval, 1e-3,
                     hint="on rejection sample from max(0, p - q), renormalised")
        runs = [speculative_sample(tp, dq, [1], 8, 3, torch.Generator().manual_seed(7))
                for _ in range(2)]
        same_p, same_q, _, _ = markov_pair(v, 0.0, g)  # the draft is the target
        lab.check_equal(f"identical draft: every proposal accepted, k + 1 tokens per call "
                        f"(accepted per round, 10 tokens, k={cfg.k})",
                        speculative_sample(same_p, same_q, [0], 10, cfg.k, gen)[1],
                        [cfg.k] * math.ceil(10 / (cfg.k + 1)),
                        hint="after k accepted proposals, draw a bonus token from p_k")
        lab.check_equal("same generator seed, same tokens", runs[0], runs[1],
                        hint="draw with generator=... everywhere, not the global RNG")
        for lam in cfg.lambdas:
            tp, dq, _, alpha = markov_pair(v, lam, g)
            acc = dec = 0
            for _ in range(cfg.rate_calls):
                for n in speculative_sample(tp, dq, [0], 12, cfg.k, gen)[1]:
                    acc, dec = acc + n, dec + n + (n < cfg.k)  # decisions: accepts + reject
            rate = acc / max(dec, 1)
            se = math.sqrt(max(alpha * (1 - alpha), 1e-4) / max(dec, 1))
            rates.append((lam, alpha, rate, se))
            lab.check_close(f"lambda {lam}: acceptance rate = 1 - lambda * TV (4 s.e.)", rate,
                            alpha, rtol=0, atol=4 * se,
                            hint="accept x with probability min(1, p(x) / q(x))")
        lab.metric("chi_square_p", pval)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    if rates and greedy_rows:
        lam, alpha, rate, se = (list(c) for c in zip(*rates, strict=True))
        ax1.plot(lam, alpha, "k-", label="1 - lambda TV(p, s)")
        ax1.errorbar(lam, rate, yerr=[2 * e for e in se], fmt="o", label="your sampler")
        ax1.set(xlabel="draft mixing lambda (0 = the target)", ylabel="acceptance rate",
                title="sampling: alpha = sum min(p, q)")
        ax1.legend()
        ax2.plot(range(len(greedy_rows)), [r[2] for r in greedy_rows], "s-")
        ax2.axhline(1, color="k", lw=0.8, ls="--", label="plain greedy")
        ax2.set_xticks(range(len(greedy_rows)), [str(r[0]) for r in greedy_rows])
        ax2.set(xlabel="draft noise (0 = the target)", ylabel="tokens per target call",
                title=f"greedy, k = {cfg.k}: worse draft, fewer tokens")
        ax2.legend()
        best = greedy_rows[2]
        lab.conclude(f"Your greedy speculative decoding reproduced the target's greedy output "
                     f"exactly, at {best[2]:.1f} tokens per target call with a draft of noise "
                     f"{best[0]}; your sampler matched the target's distribution (chi-square "
                     f"p = {pval:.2f} over {cfg.draws} draws) and accepted "
                     f"{rates[-1][2]:.0%} of proposals where 1 - lambda * TV predicts "
                     f"{rates[-1][1]:.0%} for the worst draft.")
    lab.savefig(fig, "speculative_decoding.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("speculative-decoding", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
