"""Another idiom: torch autograd in float64, F.huber_loss, torch.optim.LBFGS with a strong-Wolfe
line search from a coarse grid; the compute-optimal split through the exponents a and b."""

import itertools

import numpy as np
import torch
import torch.nn.functional as F


def fit_chinchilla(N, D, L):
    lN, lD, lL = (torch.as_tensor(np.log(v), dtype=torch.float64) for v in (N, D, L))

    def loss_of(p):  # p = (e, a, b, alpha, beta)
        pred = torch.logsumexp(torch.stack([p[1] - p[3] * lN, p[2] - p[4] * lD,
                                            p[0].expand_as(lN)]), dim=0)
        return F.huber_loss(pred, lL, reduction="sum", delta=1e-3)

    starts = torch.tensor(list(itertools.product([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5],
                                                 [0.0, 5.0, 10.0, 15.0, 20.0, 25.0],
                                                 [0.0, 5.0, 10.0, 15.0, 20.0, 25.0],
                                                 [0.0, 0.5, 1.0, 1.5, 2.0],
                                                 [0.0, 0.5, 1.0, 1.5, 2.0])), dtype=torch.float64)
    with torch.no_grad():
        scores = torch.stack([loss_of(s) for s in starts])
    best, best_loss = None, float("inf")
    for s in starts[torch.argsort(scores)[:4]]:
        p = s.clone().requires_grad_(True)
        opt = torch.optim.LBFGS([p], lr=1, max_iter=1000, tolerance_grad=1e-20,
                                tolerance_change=1e-30, history_size=50,
                                line_search_fn="strong_wolfe")

        def closure(opt=opt, p=p):
            opt.zero_grad()
            value = loss_of(p)
            value.backward()
            return value

        opt.step(closure)
        with torch.no_grad():
            value = float(loss_of(p))
        if value < best_loss:
            best, best_loss = p.detach().clone(), value
    e, a, b, alpha, beta = best.tolist()
    return {"E": float(np.exp(e)), "A": float(np.exp(a)), "B": float(np.exp(b)),
            "alpha": alpha, "beta": beta}


def compute_optimal(C, E, A, B, alpha, beta):
    a, b = beta / (alpha + beta), alpha / (alpha + beta)
    G = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    return G * (C / 6) ** a, (C / 6) ** b / G
