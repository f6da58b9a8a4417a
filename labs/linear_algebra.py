"""Linear algebra for deep learning: vectors, matrices and their decompositions.

A matrix is a linear map; its decompositions say what the map does. QR writes A as an
orthonormal basis Q of its column space times an upper-triangular R (Gram-Schmidt). The
eigen-decomposition of a symmetric matrix gives its principal directions, and power
iteration finds the dominant one by repeated multiplication. The SVD A = U diag(s) V^T
gives the best rank-k approximation: by the Eckart-Young theorem, keeping the k largest
singular values leaves a Frobenius error of sqrt(s_{k+1}^2 + ... + s_r^2) and a spectral
error of s_{k+1}, and no other rank-k matrix does better.

This lab writes QR by modified Gram-Schmidt, power iteration and the truncated-SVD
low-rank approximation by hand, and checks them against torch.linalg (qr, eigh,
matrix_rank, matrix_norm) and numpy's independent SVD, all in float64.

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
    eig_dim: int = 60  # size of the symmetric matrix for power iteration
    eig_gap: float = 0.6  # |lambda_2 / lambda_1|: power iteration converges like gap**t
    power_iters: int = 200  # power-iteration steps (gap**200 ~ 1e-44)
    tol: float = 1e-9  # relative tolerance for float64 comparisons


def gram_schmidt_qr(A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Reduced QR of a tall full-rank ``A`` (m, n) by modified Gram-Schmidt.

    Returns ``Q`` (m, n) with orthonormal columns and upper-triangular ``R`` (n, n) with a
    positive diagonal, so that ``A = Q @ R``.
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
    """Dominant eigenpair (largest |lambda|) of a symmetric ``S`` (d, d) by power iteration.

    Start from a fixed vector, repeat ``v <- S v / ||S v||``; return the Rayleigh quotient
    ``v^T S v`` and the unit vector ``v`` (d,).
    """
    v = torch.ones(S.shape[0], dtype=S.dtype, device=S.device)
    v = v / torch.linalg.vector_norm(v)
    for _ in range(iters):
        w = S @ v
        v = w / torch.linalg.vector_norm(w)
    return float(v @ S @ v), v


def low_rank_approx(A: torch.Tensor, k: int) -> torch.Tensor:
    """Best rank-``k`` approximation of ``A`` (m, n) by the truncated SVD: U_k diag(s_k) V_k^T."""
    U, s, Vh = torch.linalg.svd(A, full_matrices=False)  # (m, r), (r,), (r, n)
    return U[:, :k] @ torch.diag(s[:k]) @ Vh[:k, :]  # (m, n), rank k


def _test_matrix(cfg: Config, rng: np.random.Generator) -> np.ndarray:
    """A (m, n) with singular values decay**i (known spectrum) plus a little noise."""
    U, _ = np.linalg.qr(rng.normal(size=(cfg.rows, cfg.cols)))
    V, _ = np.linalg.qr(rng.normal(size=(cfg.cols, cfg.cols)))
    s = 10.0 * cfg.decay ** np.arange(cfg.cols)
    return (U * s) @ V.T + cfg.noise * rng.normal(size=(cfg.rows, cfg.cols))


def body(lab: kit.Lab) -> None:
    cfg = Config(rows=lab.pick(120, 600), cols=lab.pick(50, 240), eig_dim=lab.pick(40, 200))
    rng = np.random.default_rng(lab.seed)
    dev, f64 = lab.torch_device, torch.float64

    lab.section("vectors and matrices")
    x, y = rng.normal(size=cfg.cols), rng.normal(size=cfg.cols)
    xt, yt = torch.tensor(x, dtype=f64, device=dev), torch.tensor(y, dtype=f64, device=dev)
    cos = float(xt @ yt / (torch.linalg.vector_norm(xt) * torch.linalg.vector_norm(yt)))
    lab.metric("cosine(x, y) of two random vectors", cos)
    lab.log("  a matrix is a linear map: A(ax + by) = aAx + bAy; (AB)^T = B^T A^T")

    A_np = _test_matrix(cfg, rng)
    A = torch.tensor(A_np, dtype=f64, device=dev)  # (m, n)

    lab.section("QR by modified Gram-Schmidt vs torch.linalg.qr")
    with lab.guard("gram_schmidt_qr runs"):
        Q, R = gram_schmidt_qr(A.clone())
        eye = torch.eye(cfg.cols, dtype=f64, device=dev)
        lab.check_close("Q^T Q = I", Q.T @ Q, eye, rtol=0, atol=1e-10)
        lab.check_le("R is upper triangular (max |below diagonal|)",
                     float(torch.tril(R, -1).abs().max()), 1e-12)
        lab.check_close("Q R reconstructs A", Q @ R, A, rtol=0, atol=1e-10 * float(A.abs().max()))
        Qr, Rr = torch.linalg.qr(A)
        sign = torch.sign(torch.diagonal(Rr))  # torch may return negative diagonals; fix signs
        lab.check_close("R = torch.linalg.qr's R (signs fixed)", R, sign[:, None] * Rr,
                        rtol=0, atol=1e-9 * float(A.abs().max()))

    lab.section("power iteration vs torch.linalg.eigh")
    d = cfg.eig_dim
    Qe, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.concatenate([[-10.0, 10.0 * cfg.eig_gap], rng.uniform(-5, 5, size=d - 2)])
    S = torch.tensor((Qe * lam) @ Qe.T, dtype=f64, device=dev)  # symmetric, dominant lambda = -10
    evals, evecs = torch.linalg.eigh(S)  # oracle, ascending eigenvalues
    top = int(torch.argmax(evals.abs()))
    lab.check_close("eigh reconstructs S = V diag(lambda) V^T", evecs @ torch.diag(evals) @ evecs.T,
                    S, rtol=0, atol=1e-10)
    with lab.guard("power_iteration runs"):
        lam1, v1 = power_iteration(S, cfg.power_iters)
        lab.check_close("dominant eigenvalue = eigh's", lam1, float(evals[top]), rtol=cfg.tol)
        lab.check_close("|<v, v_eigh>| = 1 (same direction up to sign)",
                        float(torch.abs(v1 @ evecs[:, top])), 1.0, rtol=cfg.tol)
        resid = torch.linalg.vector_norm(S @ v1 - lam1 * v1) / torch.linalg.vector_norm(v1)
        lab.check_le("residual ||S v - lambda v|| / ||v||", float(resid), 1e-8)

    lab.section("low-rank approximation: Eckart-Young")
    s_ref = np.linalg.svd(A_np, compute_uv=False)  # oracle: numpy's own LAPACK SVD call
    ks = [k for k in (1, 2, 5, 10, 20, 40) if k < cfg.cols]
    errs_f, errs_2 = [], []
    with lab.guard("low_rank_approx runs"):
        for k in ks:
            Ak = low_rank_approx(A, k)
            errs_f.append(float(torch.linalg.matrix_norm(A - Ak, ord="fro")))
            errs_2.append(float(torch.linalg.matrix_norm(A - Ak, ord=2)))
        tail_f = [float(np.sqrt(np.sum(s_ref[k:] ** 2))) for k in ks]
        lab.check_close("||A - A_k||_F = sqrt(sum of tail s_i^2)", errs_f, tail_f, rtol=cfg.tol)
        lab.check_close("||A - A_k||_2 = s_{k+1}", errs_2, s_ref[ks], rtol=cfg.tol)
        k0 = ks[2]
        Ak0 = low_rank_approx(A, k0)
        lab.check_equal(f"rank(A_{k0}) = {k0}", int(torch.linalg.matrix_rank(Ak0)), k0)
        P, _ = torch.linalg.qr(torch.tensor(rng.normal(size=(cfg.cols, k0)), dtype=f64, device=dev))
        err_rand = float(torch.linalg.matrix_norm(A - A @ P @ P.T))  # a random rank-k0 projection
        lab.check_ge(f"random rank-{k0} projection is worse than A_{k0}", err_rand,
                     errs_f[2] * (1 + 1e-9))
        full = low_rank_approx(A, cfg.cols)
        lab.check_close("full rank reconstructs A", full, A, rtol=0,
                        atol=1e-10 * float(A.abs().max()))
        energy = np.cumsum(s_ref**2) / np.sum(s_ref**2)
        lab.metric(f"energy kept by rank {k0}", energy[k0 - 1])
        lab.metric(f"compression of rank {k0} (stored numbers / m*n)",
                   k0 * (cfg.rows + cfg.cols + 1) / (cfg.rows * cfg.cols))

        fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
        a1.semilogy(np.arange(1, len(s_ref) + 1), s_ref, ".-")
        a1.set(xlabel="i", ylabel="singular value s_i", title="spectrum of A")
        a2.semilogy(ks, tail_f, "o-", label="sqrt(sum_{i>k} s_i^2)  (theory)")
        a2.semilogy(ks, errs_f, "x--", label="||A - A_k||_F  (yours)")
        a2.set(xlabel="rank k", ylabel="error", title="Eckart-Young: truncated SVD error")
        a2.legend(fontsize=8)
        lab.savefig(fig, "low_rank_error.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("linear-algebra", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
