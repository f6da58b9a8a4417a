"""Bug: reshapes (H, W) into (k, H // k, k, W // k): each window takes every (H/k)-th row."""

def max_pool2d(x, k=2):
    n, c, h, w = x.shape
    x = x[:, :, : h // k * k, : w // k * k]
    return x.reshape(n, c, k, h // k, k, w // k).amax(dim=(2, 4))
