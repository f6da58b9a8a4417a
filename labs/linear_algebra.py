"""Linear algebra for deep learning: vectors, matrices and their decompositions.

A matrix is a linear map; its decompositions say what the map does. QR writes A as an
orthonormal basis Q of its column space times an upper-triangular R. Gram-Schmidt builds Q
one column at a time by subtracting from each column its projections on the earlier q's.
*Classical* Gram-Schmidt computes every projection from the original column a_j; *modified*
Gram-Schmidt subtracts them one after another from the running remainder, so the rounding
error of one projection is removed by the next. It matters on ill-conditioned matrices:
with condition number kappa, classical Gram-Schmidt loses orthogonality like eps * kappa^2
(at kappa = 1e8 in float64, Q^T Q is nowhere near I) while the modified variant loses only
eps * kappa. The eigen-decomposition of a symmetric matrix gives its principal directions,
and power iteration finds the dominant one (largest |lambda|) by repeated multiplication.
The SVD A = U diag(s) V^T gives the best rank-k approximation: by the Eckart-Young theorem,
keeping the k largest singular values leaves a Frobenius error of
sqrt(s_{k+1}^2 + ... + s_r^2) and a spectral error of s_{k+1}, and no rank-k matrix does
better.

You write QR by modified Gram-Schmidt, power iteration and the truncated-SVD low-rank
approximation; they are checked against torch.linalg (qr, eigh, matrix_rank, matrix_norm)
and numpy's SVD, on a well-conditioned and an ill-conditioned (kappa = 1e8) matrix. Work in
float64: the orthogonality tolerances assume it.

$ python labs/linear_algebra.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("gram_schmidt_qr", "power_iteration", "low_rank_approx")


@dataclass
class Config:
    rows: int = 300  # rows of the test matrix A (m)
    cols: int = 120  # columns of A (n <= m)
    decay: float = 0.93  # singular values of A decay like decay**i
    noise: float = 1e-3  # small dense noise, so A has full rank
    kappa: float = 1e8  # condition number of the ill-conditioned test matrix
    eig_dim: int = 60  # size of the symmetric matrix for power iteration
    eig_gap: float = 0.6  # |lambda_2 / lambda_1|: power iteration converges like gap**t
    power_iters: int = 200  # power-iteration steps (gap**200 ~ 1e-44)
    tol: float = 1e-9  # relative tolerance for float64 comparisons


def gram_schmidt_qr(A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Reduced QR of a tall full-rank ``A`` (m, n) by *modified* Gram-Schmidt, in float64.

    Returns ``Q`` (m, n) with orthonormal columns and upper-triangular ``R`` (n, n) with a
    positive diagonal, so that ``A = Q @ R``. Modified: each projection coefficient
    ``R[i, j]`` is taken from the column as already reduced by q_0 .. q_{i-1}, not from the
    original column, so ``Q`` stays orthonormal to ~1e-8 even when cond(A) = 1e8.
    """
    m, n = A.shape
    Q = A.clone()  # (m, n) columns are orthogonalised in place
    R = torch.zeros(n, n, dtype=A.dtype, device=A.device)
    for j in range(n):
        R[j, j] = torch.linalg.vector_norm(Q[:, j])
        Q[:, j] = Q[:, j] / R[j, j]
        # remove the new direction from every later column at once (the "modified" variant)
        R[j, j + 1:] = Q[:, j] @ Q[:, j + 1:]  # (n - j - 1,)
        Q[:, j + 1:] -= torch.outer(Q[:, j], R[j, j + 1:])
    return Q, R


def power_iteration(S: torch.Tensor, iters: int) -> tuple[float, torch.Tensor]:
    """Dominant eigenpair (largest |lambda|, which may be negative) of a symmetric ``S`` (d, d).

    Start from a vector not orthogonal to the answer (e.g. all ones), repeat
    ``v <- S v / ||S v||`` exactly ``iters`` times; return the Rayleigh quotient ``v^T S v``
    (a float, with its sign) and the unit vector ``v`` (d,).
    """
    v = torch.ones(S.shape[0], dtype=S.dtype, device=S.device)
    v = v / torch.linalg.vector_norm(v)
    for _ in range(iters):
        w = S @ v
        v = w / torch.linalg.vector_norm(w)
    return float(v @ S @ v), v


def low_rank_approx(A: torch.Tensor, k: int) -> torch.Tensor:
    """Best rank-``k`` approximation (m, n) of ``A`` (m, n): the truncated SVD
    U_k diag(s_k) V_k^T that keeps the ``k`` largest singular values."""
    U, s, Vh = torch.linalg.svd(A, full_matrices=False)  # (m, r), (r,), (r, n)
    return U[:, :k] @ torch.diag(s[:k]) @ Vh[:k, :]  # (m, n), rank k


def classical_gram_schmidt(A: torch.Tensor) -> torch.Tensor:
    """The lab's classical Gram-Schmidt Q (every projection taken from the original column)."""
    Q = torch.zeros_like(A)
    for j in range(A.shape[1]):
        v = A[:, j] - Q[:, :j] @ (Q[:, :j].T @ A[:, j])
        Q[:, j] = v / torch.linalg.vector_norm(v)
    return Q


def _test_matrix(rng: np.random.Generator, m: int, s: np.ndarray, noise: float) -> np.ndarray:
    """A (m, n) with singular values ``s`` (known spectrum) plus optional dense noise."""
    U, _ = np.linalg.qr(rng.normal(size=(m, len(s))))
    V, _ = np.linalg.qr(rng.normal(size=(len(s), len(s))))
    return (U * s) @ V.T + noise * rng.normal(size=(m, len(s)))


def _orth_loss(Q: torch.Tensor) -> float:
    return float((Q.T @ Q - torch.eye(Q.shape[1], dtype=Q.dtype, device=Q.device)).abs().max())


def body(lab: kit.Lab) -> None:
    cfg = Config(rows=lab.pick(120, 600), cols=lab.pick(50, 240), eig_dim=lab.pick(40, 200))
    rng = np.random.default_rng(lab.seed)
    dev, f64 = lab.torch_device, torch.float64

    def t(a):
        return torch.tensor(a, dtype=f64, device=dev)

    lab.section("vectors and matrices (a demonstration)")
    A = t(_test_matrix(rng, cfg.rows, 10.0 * cfg.decay ** np.arange(cfg.cols), cfg.noise))
    x, y, B = t(rng.normal(size=cfg.cols)), t(rng.normal(size=cfg.cols)), t(rng.normal(
        size=(cfg.cols, 7)))
    cos = float(x @ y / (torch.linalg.vector_norm(x) * torch.linalg.vector_norm(y)))
    lab.metric("cosine(x, y) of two random vectors", cos)
    with lab.shown():
        lab.check_close("cosine by hand = F.cosine_similarity", cos,
                        float(torch.nn.functional.cosine_similarity(x, y, dim=0)), rtol=1e-12)
        lab.check_close("A is linear: A(2x - 3y) = 2Ax - 3Ay", A @ (2 * x - 3 * y),
                        2 * (A @ x) - 3 * (A @ y), rtol=0, atol=1e-12)
        lab.check_close("(AB)^T = B^T A^T", (A @ B).T, B.T @ A.T, rtol=0, atol=1e-12)

    lab.section("QR by modified Gram-Schmidt vs torch.linalg.qr")
    scale = float(A.abs().max())
    n_ill = cfg.cols // 2
    A_ill = t(_test_matrix(rng, cfg.rows, np.logspace(0, -np.log10(cfg.kappa), n_ill), 0.0))
    rows = []
    with lab.guard("gram_schmidt_qr runs"):
        Q, R = gram_schmidt_qr(A.clone())
        lab.check_close("Q^T Q = I", Q.T @ Q, torch.eye(cfg.cols, dtype=f64, device=dev),
                        rtol=0, atol=1e-10, hint="project on every earlier q, not only the last")
        lab.check_le("R is upper triangular (max |below diagonal|)",
                     float(torch.tril(R, -1).abs().max()), 1e-12,
                     hint="R[i, j] = <q_i, a_j> sits above the diagonal (i < j)")
        lab.check_close("Q R reconstructs A", Q @ R, A, rtol=0, atol=1e-10 * scale)
        Qr, Rr = torch.linalg.qr(A)
        sign = torch.sign(torch.diagonal(Rr))  # torch may return negative diagonals; fix signs
        lab.check_close("R = torch.linalg.qr's R (signs fixed)", R, sign[:, None] * Rr,
                        rtol=0, atol=1e-9 * scale)
        Qi, Ri = gram_schmidt_qr(A_ill.clone())
        lab.check_le(f"cond(A) = {cfg.kappa:.0e}: max |Q^T Q - I| (eps * kappa ~ 1e-8)",
                     _orth_loss(Qi), 1e-6,
                     hint="classical Gram-Schmidt: take R[i, j] from the reduced column, "
                          "not from the original a_j")
        lab.check_close(f"cond(A) = {cfg.kappa:.0e}: Q R reconstructs A", Qi @ Ri, A_ill,
                        rtol=0, atol=1e-12)
        for kappa in (1e2, 1e4, 1e6, cfg.kappa):
            Ak = t(_test_matrix(rng, cfg.rows, np.logspace(0, -np.log10(kappa), n_ill), 0.0))
            rows.append([f"{kappa:.0e}", _orth_loss(gram_schmidt_qr(Ak.clone())[0]),
                         _orth_loss(classical_gram_schmidt(Ak)),
                         _orth_loss(torch.linalg.qr(Ak)[0])])
        lab.table("orthogonality_loss", ["cond(A)", "yours", "classical GS", "Householder"],
                  rows, title="max |Q^T Q - I|: modified ~ eps*kappa, classical ~ eps*kappa^2")

    lab.section("power iteration vs torch.linalg.eigh")
    d = cfg.eig_dim
    Qe, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.concatenate([[-10.0, 10.0 * cfg.eig_gap], rng.uniform(-5, 5, size=d - 2)])
    S = t((Qe * lam) @ Qe.T)  # symmetric, dominant lambda = -10
    evals, evecs = torch.linalg.eigh(S)  # oracle, ascending eigenvalues
    top = int(torch.argmax(evals.abs()))
    with lab.shown():
        lab.check_close("eigh reconstructs S = V diag(lambda) V^T",
                        evecs @ torch.diag(evals) @ evecs.T, S, rtol=0, atol=1e-10)
    with lab.guard("power_iteration runs"):
        lam1, v1 = power_iteration(S, cfg.power_iters)
        lab.check_close("dominant eigenvalue (with its sign) = eigh's", lam1, float(evals[top]),
                        rtol=cfg.tol, hint="the Rayleigh quotient v^T S v keeps the sign; "
                                           "||S v|| does not")
        u = evecs[:, top] * torch.sign(v1 @ evecs[:, top])  # eigh's vector, sign matched to v
        lab.check_close("v = eigh's unit eigenvector (up to sign)", v1, u, rtol=0, atol=1e-8,
                        hint="run all iters steps and return the normalised v")
        resid = torch.linalg.vector_norm(S @ v1 - lam1 * v1) / torch.linalg.vector_norm(v1)
        lab.check_le("residual ||S v - lambda v|| / ||v||", float(resid), 1e-8)

    lab.section("low-rank approximation: Eckart-Young")
    s_ref = np.linalg.svd(A.cpu().numpy(), compute_uv=False)  # oracle: numpy's own SVD
    ks = [k for k in (1, 2, 5, 10, 20, 40) if k < cfg.cols]
    errs_f: list[float] = []
    tail_f = [float(np.sqrt(np.sum(s_ref[k:] ** 2))) for k in ks]
    with lab.guard("low_rank_approx runs"):
        errs_2 = []
        for k in ks:
            Ak = low_rank_approx(A, k)
            errs_f.append(float(torch.linalg.matrix_norm(A - Ak, ord="fro")))
            errs_2.append(float(torch.linalg.matrix_norm(A - Ak, ord=2)))
        lab.check_close("||A - A_k||_F = sqrt(sum of tail s_i^2)", errs_f, tail_f, rtol=cfg.tol,
                        hint="keep the k largest singular values: rows of V^T, not columns")
        lab.check_close("||A - A_k||_2 = s_{k+1}", errs_2, s_ref[ks], rtol=cfg.tol)
        k0 = ks[2]
        lab.check_equal(f"rank(A_{k0}) = {k0}",
                        int(torch.linalg.matrix_rank(low_rank_approx(A, k0))), k0)
        lab.check_close("full rank reconstructs A", low_rank_approx(A, cfg.cols), A, rtol=0,
                        atol=1e-10 * scale)
        P, _ = torch.linalg.qr(t(rng.normal(size=(cfg.cols, k0))))
        with lab.shown():
            lab.check_ge(f"a random rank-{k0} projection is worse than the truncated SVD",
                         float(torch.linalg.matrix_norm(A - A @ P @ P.T)), tail_f[2])
        energy = np.cumsum(s_ref**2) / np.sum(s_ref**2)
        lab.metric(f"energy kept by rank {k0}", energy[k0 - 1])
        lab.metric(f"compression of rank {k0} (stored numbers / m*n)",
                   k0 * (cfg.rows + cfg.cols + 1) / (cfg.rows * cfg.cols))

    fig, (a0, a1, a2) = plt.subplots(1, 3, figsize=(13, 3.6))
    if rows:
        kappas = [float(r[0]) for r in rows]
        for col, label in ((1, "yours"), (2, "classical GS"), (3, "Householder (torch)")):
            a0.loglog(kappas, [max(r[col], 1e-17) for r in rows], "o-", label=label)
        a0.set(xlabel="cond(A)", ylabel="max |Q^T Q - I|", title="loss of orthogonality")
        a0.legend(fontsize=8)
    a1.semilogy(np.arange(1, len(s_ref) + 1), s_ref, ".-")
    a1.set(xlabel="i", ylabel="singular value s_i", title="spectrum of A")
    a2.semilogy(ks, tail_f, "o-", label="sqrt(sum_{i>k} s_i^2)  (theory)")
    if errs_f:
        a2.semilogy(ks, errs_f, "x--", label="||A - A_k||_F  (yours)")
    a2.set(xlabel="rank k", ylabel="error", title="Eckart-Young: truncated SVD error")
    a2.legend(fontsize=8)
    lab.savefig(fig, "low_rank_error.png")
    if rows and errs_f:
        lab.conclude(f"Your modified Gram-Schmidt kept Q orthonormal to {rows[-1][1]:.0e} at "
                     f"cond(A) = {cfg.kappa:.0e}, where classical Gram-Schmidt lost it "
                     f"({rows[-1][2]:.0e}), and your truncated SVD met the Eckart-Young error "
                     f"sqrt(sum of tail s_i^2) for every k in {ks}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("linear-algebra", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
