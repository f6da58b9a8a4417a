"""Bug: d^T Sigma d instead of d^T Sigma^-1 d, so high-variance directions count most."""


def anomaly_scores(X_fit, X):
    mu = X_fit.mean(0)
    Xc = X_fit - mu
    cov = Xc.T @ Xc / X_fit.shape[0]
    D = X - mu
    return (D @ cov * D).sum(1)
