"""Scaling laws: fit the Chinchilla loss L(N, D) to a grid of small runs, then split compute.

Hoffmann et al. (2022, "Chinchilla") model the final loss of a language model with N
parameters trained on D tokens as L(N, D) = E + A / N^alpha + B / D^beta: E is the entropy
of the text (no model does better), A / N^alpha what a finite model cannot represent, and
B / D^beta what finite data cannot teach. Their third approach fits the five constants to
many training runs by minimising a Huber loss (delta = 1e-3) of the residuals in log
space, log L_hat - log L with log L_hat = LSE(a - alpha log N, b - beta log D, e),
A = e^a, B = e^b, E = e^e, using L-BFGS from a grid of starting points (the objective has
local minima). The objective is tiny (about 1e-4), so an optimiser with default stopping
tolerances stops early: Besiroglu et al. (2024) traced part of the published constants'
bias to exactly that. With training compute C = 6 N D FLOPs, minimising L(N, C / 6N) gives
N_opt = G (C/6)^(beta / (alpha + beta)), D_opt = (C/6) / N_opt with
G = (alpha A / (beta B))^(1 / (alpha + beta)): the compute-optimal split. (The rounded
published constants put it at about 93 tokens per parameter at Chinchilla's budget, not the
20 that the paper's other two approaches and the Chinchilla 70B model itself use.)

The lab measures its own grid. The "text" is a bigram language over 32 symbols whose
log-transition matrix has singular values falling like 1/k, so its entropy rate E is
known exactly; each "model" is a factorised bigram LM (embeddings of width w, N = 2 * 32
* w + 32 parameters, rank w), trained with Adam and a cosine schedule on D fresh tokens,
and its loss is the exact expected cross-entropy under the source. You write the fit
(float64) and the compute-optimal split; they are checked against a multi-start L-BFGS
oracle on the same runs, recovery of the published constants from noise-free data, and a
numerical minimisation of L along each compute budget. The fitted law is then compared
with Chinchilla's published constants (E = 1.69, A = 406.4, B = 410.7, alpha = 0.34,
beta = 0.28).

$ python labs/scaling_laws.py --quick
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import brentq, minimize

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("fit_chinchilla", "compute_optimal")
CHINCHILLA = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}  # Eq. 10
HUBER_DELTA = 1e-3  # Hoffmann et al.'s Huber threshold on log residuals


@dataclass
class Config:
    vocab: int = 32  # symbols of the bigram source
    widths: tuple = (1, 2, 3, 4, 6, 8, 12, 16)  # embedding widths (model sizes N)
    budgets: tuple = (32, 64, 128, 256, 512)  # training steps per run (data sizes D)
    batch: int = 128  # fresh tokens per step: D = steps * batch
    lr: float = 3e-2  # Adam peak learning rate, cosine-decayed to 10% over each run
    spectrum: float = 1.0  # singular values of the source's logits fall like k^-spectrum


def fit_chinchilla(N: np.ndarray, D: np.ndarray, L: np.ndarray) -> dict:
    """Fit L(N, D) = E + A / N^alpha + B / D^beta to measured runs, Hoffmann et al.'s way.

    Minimise sum_i Huber(log L_hat_i - log L_i) with Huber threshold ``HUBER_DELTA``
    (0.5 r^2 where |r| <= delta, else delta (|r| - delta / 2)), where log L_hat =
    logsumexp(a - alpha log N, b - beta log D, e), over (e, a, b, alpha, beta), in float64
    with L-BFGS started from a grid of points (keep the best result): e in
    {-1, -0.5, ..., 1.5}, a and b in {0, 5, ..., 25}, alpha and beta in {0, 0.5, ..., 2}
    (evaluate the grid and start from its best points). The objective is about 1e-4 at the
    optimum: use tight stopping tolerances (or rescale it), or the optimiser stops early.
    Returns ``{"E": e^e, "A": e^a, "B": e^b, "alpha": alpha, "beta": beta}`` (natural
    scale, floats).
    """
    lN, lD, lL = np.log(N), np.log(D), np.log(L)
    grid = np.array(list(itertools.product(np.arange(-1, 1.6, 0.5), np.arange(0, 26, 5),
                                           np.arange(0, 26, 5), np.arange(0, 2.1, 0.5),
                                           np.arange(0, 2.1, 0.5))), dtype=np.float64)
    values = np.array([huber_objective(p, lN, lD, lL)[0] for p in grid])
    best = None
    for i in np.argsort(values)[:10]:  # L-BFGS from the 10 best grid points
        res = minimize(huber_objective, grid[i], args=(lN, lD, lL), jac=True,
                       method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-15,
                                                   "maxiter": 10000})
        if best is None or res.fun < best.fun:
            best = res
    e, a, b, alpha, beta = (float(v) for v in best.x)
    return {"E": math.exp(e), "A": math.exp(a), "B": math.exp(b), "alpha": alpha, "beta": beta}


def compute_optimal(C: float, E: float, A: float, B: float, alpha: float,
                    beta: float) -> tuple[float, float]:
    """The compute-optimal model size and data for a budget of ``C`` training FLOPs.

    Minimise L(N, D) = E + A / N^alpha + B / D^beta subject to C = 6 N D (closed form:
    N_opt = G (C/6)^(beta / (alpha + beta)), G = (alpha A / (beta B))^(1 / (alpha + beta))).
    Returns ``(N_opt, D_opt)`` as floats, with 6 * N_opt * D_opt = C.
    """
    G = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
    n_opt = G * (C / 6.0) ** (beta / (alpha + beta))
    return float(n_opt), float(C / 6.0 / n_opt)


def huber_objective(p: np.ndarray, lN: np.ndarray, lD: np.ndarray,
                    lL: np.ndarray) -> tuple[float, np.ndarray]:
    """The oracle's objective (e, a, b, alpha, beta) -> (Huber sum, gradient), float64."""
    e, a, b, alpha, beta = p
    t = np.stack([a - alpha * lN, b - beta * lD, np.full_like(lN, e)])  # (3, n)
    m = t.max(0)
    ex = np.exp(t - m)
    w = ex / ex.sum(0)  # softmax weights = d logsumexp / d term
    r = m + np.log(ex.sum(0)) - lL
    ar = np.abs(r)
    f = np.where(ar <= HUBER_DELTA, 0.5 * r * r, HUBER_DELTA * (ar - 0.5 * HUBER_DELTA)).sum()
    d = np.clip(r, -HUBER_DELTA, HUBER_DELTA)  # Huber'(r)
    grad = np.array([(d * w[2]).sum(), (d * w[0]).sum(), (d * w[1]).sum(),
                     -(d * w[0] * lN).sum(), -(d * w[1] * lD).sum()])
    return float(f), grad


def oracle_fit(N, D, L, starts: int = 40) -> tuple[np.ndarray, float]:
    """Multi-start L-BFGS with an analytic gradient from the best ``starts`` grid points."""
    lN, lD, lL = np.log(N), np.log(D), np.log(L)
    grid = np.array(list(itertools.product(np.arange(-1, 1.6, 0.5), np.arange(0, 26, 5),
                                           np.arange(0, 26, 5), np.arange(0, 2.1, 0.5),
                                           np.arange(0, 2.1, 0.5))))
    e, a, b, al, be = grid.T[..., None]  # vectorised objective over the whole grid
    t = np.stack(np.broadcast_arrays(a - al * lN, b - be * lD, e))
    r = np.log(np.exp(t).sum(0)) - lL
    ar = np.abs(r)
    vals = np.where(ar <= HUBER_DELTA, 0.5 * r * r, HUBER_DELTA * (ar - 0.5 * HUBER_DELTA))
    best_x, best_f = None, np.inf
    for i in np.argsort(vals.sum(1))[:starts]:
        res = minimize(huber_objective, grid[i], args=(lN, lD, lL), jac=True,
                       method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-15,
                                                   "maxiter": 20000})
        if res.fun < best_f:
            best_x, best_f = res.x, float(res.fun)
    return best_x, best_f


def objective_of(fit: dict, N, D, L) -> float:
    """The Huber objective at a returned fit (natural-scale constants)."""
    p = np.array([math.log(fit["E"]), math.log(fit["A"]), math.log(fit["B"]),
                  fit["alpha"], fit["beta"]], dtype=np.float64)
    return huber_objective(p, np.log(N), np.log(D), np.log(L))[0]


def law(fit: dict, N, D):
    return fit["E"] + fit["A"] / np.power(N, fit["alpha"]) + fit["B"] / np.power(D, fit["beta"])


def make_source(cfg: Config, rng: np.random.Generator):
    """A bigram source: transition matrix P (V, V), stationary pi (V,), entropy rate H."""
    V = cfg.vocab
    U, _ = np.linalg.qr(rng.normal(size=(V, V)))
    W, _ = np.linalg.qr(rng.normal(size=(V, V)))
    logits = (U * V * np.arange(1, V + 1) ** -cfg.spectrum) @ W.T  # singular values V / k
    P = np.exp(logits - logits.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    evals, evecs = np.linalg.eig(P.T)
    pi = np.abs(np.real(evecs[:, np.argmin(np.abs(evals - 1))]))
    pi /= pi.sum()
    H = float(-(pi[:, None] * P * np.log(P)).sum())
    return P, pi, H


def measure_grid(cfg: Config, P, pi, seed: int) -> np.ndarray:
    """Train every width for every budget (widths batched in one tensor); rows (N, D, L)."""
    V, M, Wm = cfg.vocab, len(cfg.widths), max(cfg.widths)
    Pt, pit = torch.tensor(P, dtype=torch.float32), torch.tensor(pi, dtype=torch.float32)
    mask = torch.zeros(M, 1, Wm)  # model i uses the first widths[i] embedding columns
    for i, w in enumerate(cfg.widths):
        mask[i, 0, :w] = 1
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for steps in cfg.budgets:
        torch.manual_seed(seed)
        emb_in = (0.1 * torch.randn(M, V, Wm)).requires_grad_()
        emb_out = (0.1 * torch.randn(M, V, Wm)).requires_grad_()
        bias = torch.zeros(M, 1, V, requires_grad=True)
        opt = torch.optim.Adam([emb_in, emb_out, bias], lr=cfg.lr)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s, n=steps: 0.1 + 0.45 * (1 + math.cos(math.pi * s / n)))
        x = torch.multinomial(pit, steps * cfg.batch, replacement=True, generator=gen)
        y = torch.multinomial(Pt[x], 1, generator=gen)[:, 0]  # fresh tokens, never repeated
        x, y = x.view(steps, cfg.batch), y.view(steps, cfg.batch)
        for s in range(steps):
            logits = (emb_in * mask) @ (emb_out * mask).transpose(1, 2) + bias  # (M, V, V)
            loss = F.cross_entropy(logits[:, x[s]].reshape(-1, V), y[s].repeat(M),
                                   reduction="sum") / cfg.batch
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        with torch.no_grad():  # exact expected loss under the source, no eval noise
            logp = F.log_softmax((emb_in * mask) @ (emb_out * mask).transpose(1, 2) + bias, -1)
            exact = -(pit[None, :, None] * Pt[None] * logp).sum((1, 2))  # (M,)
        rows += [(2 * V * w + V, steps * cfg.batch, float(exact[i]))
                 for i, w in enumerate(cfg.widths)]
    return np.array(rows, dtype=np.float64)


def numeric_optimum(C: float, fit: dict) -> float:
    """Oracle: the root in log N of dL/dlogN along D = C / 6N (monotone), by brentq."""
    def slope(ln: float) -> float:  # d/dlogN [A N^-alpha + B (C/6N)^-beta]
        n = math.exp(ln)
        return (-fit["alpha"] * fit["A"] * n ** -fit["alpha"]
                + fit["beta"] * fit["B"] * (C / 6 / n) ** -fit["beta"])
    return math.exp(brentq(slope, math.log(1e-6), math.log(C / 6.0) + 14, xtol=1e-14,
                           rtol=1e-15))


def body(lab: kit.Lab) -> None:
    cfg = Config(widths=lab.pick(Config.widths, (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)),
                 budgets=lab.pick(Config.budgets, (32, 64, 128, 256, 512, 1024, 2048)))
    rng = np.random.default_rng(lab.seed)

    lab.section("measure: a grid of small runs on a source of known entropy")
    P, pi, H = make_source(cfg, rng)
    with lab.timer() as t:
        runs = measure_grid(cfg, P, pi, lab.seed)
    N, D, L = runs.T
    lab.metric("runs", len(runs))
    lab.metric("grid_seconds", t.seconds, "s")
    lab.metric("entropy_rate_H", H, "nats")
    with lab.shown():
        lab.check_ge("every run's loss >= the source's entropy rate", float(L.min() - H), 0.0,
                     "cross-entropy under the source can never beat its entropy")
        big = L.reshape(len(cfg.budgets), len(cfg.widths))
        lab.check_le("more data lowers the loss of the largest model", float(big[-1, -1]),
                     float(big[0, -1]))

    lab.section("fit L(N, D): Huber on log residuals, multi-start L-BFGS")
    oracle_x, oracle_f = oracle_fit(N, D, L)
    oracle = dict(zip(("E", "A", "B"), np.exp(oracle_x[:3]).tolist(), strict=True)) | {
        "alpha": float(oracle_x[3]), "beta": float(oracle_x[4])}
    fit = None
    with lab.guard("fit_chinchilla runs"):
        got = fit_chinchilla(N, D, L)
        keys_ok = lab.check_equal("returns the keys E, A, B, alpha, beta",
                                  sorted(got) if isinstance(got, dict) else type(got).__name__,
                                  sorted(CHINCHILLA))
        if keys_ok:
            fit = {k: float(v) for k, v in got.items()}
            lab.check_le("Huber objective of your fit <= oracle's (rel 1e-3)",
                         objective_of(fit, N, D, L) / oracle_f, 1 + 1e-3,
                         f"oracle's minimum {oracle_f:.4e}",
                         hint="Huber (delta 1e-3) on log L residuals, many starts, tight tol")
            lab.check_close("your law predicts the oracle's losses on the grid",
                            law(fit, N, D), law(oracle, N, D), rtol=2e-3,
                            hint="return E, A, B on the natural scale (exp of e, a, b)")
        # noise-free data from the published constants: a converged fit recovers them
        gN, gD = (a.ravel() for a in np.meshgrid(np.logspace(7, 10, 6), np.logspace(9, 12, 6)))
        clean = fit_chinchilla(gN, gD, law(CHINCHILLA, gN, gD))
        if isinstance(clean, dict) and sorted(clean) == sorted(CHINCHILLA):
            lab.check_close("noise-free data: recovers Chinchilla's constants",
                            [clean[k] for k in CHINCHILLA], list(CHINCHILLA.values()),
                            rtol=1e-3, hint="default tolerances stop L-BFGS far too early "
                                            "on an objective this small")
    if fit is not None:
        for k in CHINCHILLA:
            lab.metric(f"fit_{k}", fit[k])
        lab.metric("fit_objective", objective_of(fit, N, D, L))

    lab.section("compute-optimal split under C = 6 N D")
    budgets_C = [1e18, 1e21, 5.76e23]  # the last is Gopher's (and Chinchilla's) budget
    rows = []
    with lab.guard("compute_optimal runs"):
        for name, consts in (("Chinchilla", CHINCHILLA), ("oracle fit", oracle)):
            got_nd = [compute_optimal(C, **consts) for C in budgets_C]
            want_n = [numeric_optimum(C, consts) for C in budgets_C]
            lab.check_close(f"N_opt = numerical argmin of L along C ({name})",
                            [n for n, _ in got_nd], want_n, rtol=1e-5,
                            hint="substitute D = C / (6N), set dL/dN = 0")
            lab.check_close(f"6 N_opt D_opt = C ({name})",
                            [6 * n * d for n, d in got_nd], budgets_C, rtol=1e-9)
        ref = fit if fit is not None else oracle
        c_grid = 6 * float(N.max()) * float(D.max())  # the largest run's compute
        for name, consts, C in (("Chinchilla (published)", CHINCHILLA, 5.76e23),
                                ("your fit", ref, c_grid)):
            n_opt, d_opt = compute_optimal(C, **consts)
            a_exp = consts["beta"] / (consts["alpha"] + consts["beta"])
            rows.append([name, consts["E"], consts["A"], consts["B"], consts["alpha"],
                         consts["beta"], a_exp, C, n_opt, d_opt / n_opt])
    if rows:
        lab.table("constants", ["law", "E", "A", "B", "alpha", "beta", "a (N_opt ~ C^a)",
                                "C (FLOPs)", "N_opt", "D_opt / N_opt"], rows,
                  title="fitted law vs Chinchilla's published constants (Hoffmann et al. Eq. 10)")
    lab.metric("source_entropy_minus_fit_E", H - (fit or oracle)["E"], "nats")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    show = fit or oracle
    dd = np.logspace(np.log10(D.min()), np.log10(D.max()), 50)
    for i, n in enumerate(sorted(set(N))):
        sel = N == n
        ax1.semilogx(D[sel], L[sel], "o", color=f"C{i % 10}", ms=4)
        ax1.semilogx(dd, law(show, n, dd), "-", color=f"C{i % 10}", lw=1, label=f"N={int(n)}")
    ax1.axhline(H, color="k", ls=":", label="entropy rate H")
    ax1.axhline(show["E"], color="k", ls="--", lw=0.8, label="fitted E")
    ax1.set(xlabel="tokens D", ylabel="loss (nats)", title="runs (dots) and the fitted law")
    ax1.legend(fontsize=6, ncol=2)
    for name, consts, lo, hi in (("your fit (toy budgets)", show, 1e5, 1e10),
                                 ("Chinchilla constants", CHINCHILLA, 1e18, 1e25)):
        cs = np.logspace(np.log10(lo), np.log10(hi), 30)
        ratio = [compute_optimal(c, **consts)[1] / compute_optimal(c, **consts)[0] for c in cs]
        ax2.loglog(cs, ratio, label=name)
    ax2.axhline(20, color="gray", ls=":", label="20 tokens/parameter (Chinchilla 70B)")
    ax2.set(xlabel="training compute C (FLOPs)", ylabel="D_opt / N_opt",
            title="compute-optimal tokens per parameter")
    ax2.legend(fontsize=7)
    lab.savefig(fig, "scaling_laws.png")
    if fit is not None and rows:
        lab.conclude(
            f"Your Huber fit of {len(runs)} runs gives alpha = {fit['alpha']:.2f}, beta = "
            f"{fit['beta']:.2f} and E = {fit['E']:.3f} (true entropy rate {H:.3f}), so N_opt "
            f"grows like C^{rows[1][6]:.2f} here; Chinchilla's published constants give "
            f"C^{rows[0][6]:.2f} and {rows[0][9]:.0f} tokens per parameter at 5.76e23 FLOPs.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("scaling-laws", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
