"""Bug: sums the squared errors where the mean is asked for."""


def mse_loss(pred, target):
    return ((pred - target) ** 2).sum()
