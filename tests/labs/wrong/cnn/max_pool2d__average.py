"""Bug: averages each window (average pooling) instead of taking its max."""

def max_pool2d(x, k=2):
    n, c, h, w = x.shape
    x = x[:, :, : h // k * k, : w // k * k]
    return x.reshape(n, c, h // k, k, w // k, k).mean(dim=(3, 5))
