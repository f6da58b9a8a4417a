"""Bug: sums squared per-feature z-scores, which treats the features as independent."""


def anomaly_scores(X_fit, X):
    mu, sd = X_fit.mean(0), X_fit.std(0)
    return (((X - mu) / sd) ** 2).sum(1)
