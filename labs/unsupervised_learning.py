"""Unsupervised learning: clustering, dimensionality reduction and anomaly detection.

Without labels a model can still find structure. k-means clustering alternates two steps
(assign each point to its nearest centre; move each centre to the mean of its points) and
never increases the within-cluster sum of squares (inertia). Where it ends depends on where
it starts: k-means++ picks the first centre uniformly at random and each next one with
probability proportional to D(x)^2, the squared distance from x to its *nearest* chosen
centre, so the seeds spread over the clusters (squared, not plain distance: that is what
gives k-means++ its O(log k) guarantee). Principal component analysis
(PCA) reduces dimensionality by projecting onto the top eigenvectors of the covariance
matrix, which keep the most variance. Anomaly detection scores how unusual a point is:
the Mahalanobis distance measures it in units of the data's own covariance, so it finds
points that break the correlations even when no single feature looks extreme.

You write k-means (k-means++ seeding, Lloyd iterations), PCA and Mahalanobis anomaly
scores. They are checked against the exact k-means++ probabilities (how often each point is
drawn as the first, second and third seed over 1000 seeded draws, chi-square tests),
scikit-learn (KMeans inertia and labels, PCA explained variance and components,
EmpiricalCovariance.mahalanobis) and planted anomalies that a per-feature z-score misses.
Float32 is fine for k-means; PCA and the anomaly scores are compared to 1e-8 in float64.

$ python labs/unsupervised_learning.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("kmeans", "pca", "anomaly_scores")


@dataclass
class Config:
    n_points: int = 1500  # points in the clustering data (2-D blobs)
    k: int = 6  # clusters
    n_init: int = 8  # k-means restarts; the best inertia is kept
    pca_k: int = 10  # principal components kept on the digits data
    anom_dim: int = 6  # dimension of the correlated Gaussian for anomaly detection
    n_normal: int = 2000  # normal points (half to fit, half to score)
    n_planted: int = 20  # planted anomalies among the scored points


def kmeans(X: torch.Tensor, k: int, rng: np.random.Generator,
           iters: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    """k-means on ``X`` (n, d): k-means++ seeding, then up to ``iters`` Lloyd steps.

    Seeding: the first centre is a row of X chosen uniformly; each next one is a row drawn
    with probability proportional to its squared distance to the *nearest* centre chosen
    so far. Use ``rng`` for every random draw. Label each point with its nearest centre;
    a Lloyd step moves each centre to the mean of its points and relabels; stop early when
    the labels no longer change. Returns ``centers`` (k, d), in the order the seeds were
    drawn, and ``labels`` (n,) (index of each point's nearest centre). With ``iters=0``
    the centres are the seeds themselves.
    """
    n = X.shape[0]
    centers = [X[int(rng.integers(n))]]
    for _ in range(1, k):  # k-means++: sample far points with probability ~ squared distance
        d2 = torch.cdist(X, torch.stack(centers)).min(1).values ** 2  # (n,)
        p = (d2 / d2.sum()).cpu().numpy()
        centers.append(X[int(rng.choice(n, p=p / p.sum()))])
    C = torch.stack(centers)  # (k, d)
    labels = torch.cdist(X, C).argmin(1)  # (n,)
    for _ in range(iters):
        for j in range(k):
            members = X[labels == j]
            if len(members):  # an empty cluster keeps its old centre
                C[j] = members.mean(0)
        new = torch.cdist(X, C).argmin(1)
        if torch.equal(new, labels):
            break
        labels = new
    return C, labels


def _seeding_probabilities(points: np.ndarray, k: int = 3) -> np.ndarray:
    """Exact k-means++ probabilities (k, n): row j = P(point i is the (j+1)-th seed)."""
    n = len(points)
    D2 = ((points[:, None] - points[None]) ** 2).sum(-1)  # (n, n) squared distances
    probs = np.zeros((k, n))

    def walk(chosen: list, p: float) -> None:
        probs[len(chosen) - 1, chosen[-1]] += p
        if len(chosen) < k:
            w = D2[chosen].min(0)  # squared distance to the nearest chosen seed
            for i in np.flatnonzero(w):
                walk(chosen + [i], p * w[i] / w.sum())

    for i in range(n):
        walk([i], 1.0 / n)
    return probs


def pca(X: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PCA of ``X`` (n, d) from the covariance matrix of the centred data.

    Returns ``(mean, components, explained_variance)``: the mean (d,); the top-k
    eigenvectors (k, d) as unit *rows*, by decreasing variance; and their eigenvalues (k,),
    i.e. the sample variance along each component (divide by n - 1, as sklearn's PCA does).
    """
    mean = X.mean(0)
    Xc = X - mean  # (n, d)
    cov = Xc.T @ Xc / (X.shape[0] - 1)  # (d, d)
    evals, evecs = torch.linalg.eigh(cov)  # ascending
    order = torch.argsort(evals, descending=True)[:k]
    return mean, evecs[:, order].T, evals[order]


def anomaly_scores(X_fit: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Squared Mahalanobis distance (x - mu)^T Sigma^-1 (x - mu) of each row of ``X`` (m, d)
    from the Gaussian fitted to ``X_fit`` (n, d): its mean and maximum-likelihood covariance
    (divide by n). Returns (m,)."""
    mu = X_fit.mean(0)
    Xc = X_fit - mu
    cov = Xc.T @ Xc / X_fit.shape[0]  # (d, d)
    D = X - mu  # (m, d)
    return (D * torch.linalg.solve(cov, D.T).T).sum(1)  # d^T cov^-1 d per row


def _inertia(X: np.ndarray, C: np.ndarray) -> float:
    """Sum of squared distances to the nearest centre, computed independently in numpy."""
    d2 = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)
    return float(d2.min(1).sum())


def body(lab: kit.Lab) -> None:
    from sklearn.cluster import KMeans
    from sklearn.covariance import EmpiricalCovariance
    from sklearn.datasets import load_digits, make_blobs
    from sklearn.decomposition import PCA
    from sklearn.metrics import adjusted_rand_score

    cfg = Config(n_points=lab.pick(1500, 20000), n_normal=lab.pick(2000, 20000))
    rng = np.random.default_rng(lab.seed)
    dev, f64 = lab.torch_device, torch.float64
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))

    lab.section("k-means++ seeding: who gets picked, over many seeded draws")
    from scipy.stats import chisquare

    pts = np.c_[[0.0, 1.0, 2.0, 3.0, 10.0, 20.0], np.zeros(6)]  # 6 points on a line
    probs = _seeding_probabilities(pts, 3)  # (3, 6) exact, from the D^2 rule
    draws = lab.pick(1000, 4000)
    seed_rows = []
    with lab.guard("kmeans seeding runs"):
        counts = np.zeros((3, len(pts)))
        ptst = torch.tensor(pts, dtype=f64, device=dev)
        for r in range(draws):
            C0, _ = kmeans(ptst, 3, np.random.default_rng([lab.seed, r]), iters=0)
            picked = torch.cdist(C0.to(f64), ptst).argmin(1).cpu().numpy()  # (3,) point ids
            counts[np.arange(3), picked] += 1
        same = [kmeans(ptst, 3, np.random.default_rng(5), iters=0)[0] for _ in "ab"]
        lab.check_equal("reproducible: the same rng seed gives the same seeds",
                        bool(torch.equal(same[0], same[1])), True,
                        hint="draw every seed from the rng you are given")
        pvals = [chisquare(counts[j], probs[j] * draws).pvalue if counts[j].sum() == draws
                 else 0.0 for j in range(3)]
        lab.check_ge(f"seeds 1, 2, 3 follow uniform, D^2, D^2-to-nearest ({draws} draws, "
                     "min chi-square p)", float(min(pvals)), 1e-4,
                     hint="weights are squared distances to the *nearest* chosen centre")
        seed_rows = [[f"x = {pts[i, 0]:g}", *(v for j in range(3)
                                             for v in (probs[j, i], counts[j, i] / draws))]
                     for i in range(len(pts))]
        lab.table("kmeanspp_seeding", ["point", "P(1st)", "yours", "P(2nd)", "yours", "P(3rd)",
                                       "yours"], seed_rows,
                  title="k-means++: exact seed probabilities vs your frequencies")

    lab.section("clustering: k-means vs sklearn KMeans")
    angle = 2 * np.pi * np.arange(cfg.k) / cfg.k + rng.uniform(0, 2 * np.pi)
    centres = 6.0 * np.c_[np.cos(angle), np.sin(angle)]  # (k, 2), neighbours 6 sd apart
    Xb, yb = make_blobs(cfg.n_points, centers=centres, cluster_std=1.0, random_state=lab.seed)
    Xbt = torch.tensor(Xb, dtype=f64, device=dev)
    with lab.guard("kmeans runs"):
        runs = [kmeans(Xbt, cfg.k, rng) for _ in range(cfg.n_init)]
        C, labels = min(runs, key=lambda r: _inertia(Xb, r[0].cpu().numpy()))
        C, labels = C.cpu().numpy().astype(np.float64), labels.cpu().numpy()
        ref = KMeans(cfg.k, n_init=10, random_state=lab.seed, tol=1e-10).fit(Xb)
        lab.check_le("inertia / sklearn KMeans inertia_ - 1 (best of restarts)",
                     _inertia(Xb, C) / ref.inertia_ - 1, 1e-4,
                     message="boundary points may settle in a slightly different fixed point")
        nearest = ((Xb[:, None] - C[None]) ** 2).sum(-1).argmin(1)
        means = np.stack([Xb[nearest == j].mean(0) for j in range(cfg.k)])
        fixed = bool(np.array_equal(labels, nearest)) and bool(np.allclose(C, means, atol=1e-5))
        lab.check("Lloyd fixed point: labels = nearest centre, centres = their members' means",
                  fixed, "fixed point", "fixed point" if fixed else "not converged",
                  hint="repeat assign / update until the labels stop changing")
        ari = adjusted_rand_score(ref.labels_, labels)
        lab.check_ge("adjusted Rand index vs sklearn's labels", ari, 0.995)
        lab.metric("inertia", _inertia(Xb, C))
        lab.metric("ARI_vs_true_blobs", adjusted_rand_score(yb, labels))
        axes[0].scatter(Xb[:, 0], Xb[:, 1], c=labels, s=3, cmap="tab10")
        axes[0].scatter(C[:, 0], C[:, 1], c="k", marker="x", s=60)
        axes[0].set(title=f"k-means, k={cfg.k}", xlabel="x1", ylabel="x2")

    lab.section("dimensionality reduction: PCA on digits vs sklearn PCA")
    Xg, yg = load_digits(return_X_y=True)  # (1797, 64)
    Xgt = torch.tensor(Xg, dtype=f64, device=dev)
    kept, shapes_ok = float("nan"), False
    with lab.guard("pca runs"):
        mean, comps, var = (np.asarray(t.detach().cpu().numpy(), dtype=np.float64)
                            for t in pca(Xgt, cfg.pca_k))
        ref = PCA(cfg.pca_k, svd_solver="full").fit(Xg)
        k, d = cfg.pca_k, Xg.shape[1]
        shapes_ok = lab.check_equal("shapes: mean (d,), components (k, d), variance (k,)",
                                    (mean.shape, comps.shape, var.shape), ((d,), (k, d), (k,)),
                                    hint="components are rows: transpose eigh's columns")
    if shapes_ok:
        with lab.guard("pca checks run"):
            lab.check_close("explained variance = sklearn PCA", var, ref.explained_variance_,
                            rtol=1e-8, hint="sample covariance of the centred data, / (n - 1)")
            lab.check_close("|<component, sklearn component>| = 1 (sign is arbitrary)",
                            np.abs(np.sum(comps * ref.components_, 1)), np.ones(k), rtol=1e-8,
                            hint="eigh sorts eigenvalues in ascending order")
            Z = (Xg - mean) @ comps.T  # (n, k) projected data
            lab.check_close("variance of projections = explained variance", Z.var(0, ddof=1),
                            var, rtol=1e-8)
            all_var = np.linalg.eigvalsh(np.cov(Xg.T))[::-1]  # every eigenvalue, from numpy
            mse = np.mean(np.sum((Xg - mean - Z @ comps) ** 2, 1))
            lab.check_close("reconstruction error = sum of dropped variances * (n-1)/n", mse,
                            all_var[k:].sum() * (len(Xg) - 1) / len(Xg), rtol=1e-8)
            kept = float(var.sum() / all_var.sum())
            lab.metric(f"variance_kept_by_{k}_components", kept)
            axes[1].scatter(Z[:, 0], Z[:, 1], c=yg, s=3, cmap="tab10")
            axes[1].set(title=f"digits on 2 of {k} PCs ({kept:.0%} variance kept)",
                        xlabel="PC1", ylabel="PC2")

    lab.section("anomaly detection: Mahalanobis distance vs planted anomalies")
    d = cfg.anom_dim
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.array([5.0, 3.0, 1.0, 0.03, 0.02, 0.01][:d])  # strongly correlated features
    normal = rng.multivariate_normal(np.zeros(d), (Q * lam) @ Q.T, size=cfg.n_normal)
    fit, clean = normal[: cfg.n_normal // 2], normal[cfg.n_normal // 2:]
    coef = rng.normal(size=(cfg.n_planted, 3))
    coef /= np.linalg.norm(coef, axis=1, keepdims=True)
    planted = 1.2 * coef @ Q[:, 3:6].T  # short steps along the low-variance directions
    Xs = np.concatenate([clean, planted])  # planted anomalies are the last n_planted rows
    is_anom = np.r_[np.zeros(len(clean), bool), np.ones(cfg.n_planted, bool)]
    zmax = np.abs((planted - fit.mean(0)) / fit.std(0)).max()
    lab.log(f"  planted anomalies: largest per-feature |z| = {zmax:.2f}")
    recall = z_recall = float("nan")
    with lab.guard("anomaly_scores runs"):
        s = anomaly_scores(torch.tensor(fit, dtype=f64, device=dev),
                           torch.tensor(Xs, dtype=f64, device=dev)).cpu().numpy()
        ref = EmpiricalCovariance().fit(fit).mahalanobis(Xs)
        lab.check_close("scores = sklearn EmpiricalCovariance.mahalanobis", s, ref, rtol=1e-8)
        top = np.argsort(-s)[: cfg.n_planted]
        recall = float(is_anom[top].mean())
        lab.check_ge(f"planted anomalies in the top {cfg.n_planted} scores (recall)", recall, 0.95)
        from scipy.stats import chi2

        thr = chi2.ppf(0.999, d)  # squared Mahalanobis of a Gaussian point ~ chi^2_d
        fpr = float(np.mean(s[~is_anom] > thr))
        lab.check_le("false-positive rate at the chi^2 99.9% threshold", fpr, 0.01)
        zs = (((Xs - fit.mean(0)) / fit.std(0)) ** 2).sum(1)  # baseline: ignores correlation
        lab.metric("recall_mahalanobis", recall)
        z_recall = float(is_anom[np.argsort(-zs)[: cfg.n_planted]].mean())
        lab.metric("recall_zscore_baseline", z_recall)
        lab.metric("false_positive_rate", fpr)
        axes[2].scatter(zs[~is_anom], s[~is_anom], s=3, label="normal")
        axes[2].scatter(zs[is_anom], s[is_anom], s=14, c="r", label="planted")
        axes[2].axhline(thr, color="k", ls="--", lw=1, label="chi^2 99.9%")
        axes[2].set(xscale="log", yscale="log", xlabel="sum of squared z-scores",
                    ylabel="squared Mahalanobis", title="anomaly scores")
        axes[2].legend(fontsize=8)
    lab.savefig(fig, "unsupervised.png")
    if seed_rows and np.isfinite(kept) and np.isfinite(recall):
        lab.conclude(f"Your k-means++ seeds followed the D^2 rule over {draws} draws and your "
                     f"k-means matched sklearn's inertia; your PCA kept {kept:.0%} of the "
                     f"digits' variance in {cfg.pca_k} components exactly as sklearn; your "
                     f"Mahalanobis scores found {recall:.0%} of the planted anomalies, which a "
                     f"per-feature z-score found {z_recall:.0%} of.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("unsupervised-learning", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
