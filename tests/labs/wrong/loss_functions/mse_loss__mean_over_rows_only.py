"""Bug: sums over each row's columns and averages over the rows only (the mean of squared
norms), which is C times the element-wise mean."""


def mse_loss(pred, target):
    return ((pred - target) ** 2).sum(dim=-1).mean()
