"""Bug: the word vectors' gradient uses the word vectors themselves
(w[rows]) instead of the context vectors."""

import torch


def glove_grads(w, w_ctx, b, b_ctx, rows, cols, x, x_max=10.0, alpha=0.75):
    fx = torch.clamp(x / x_max, max=1.0) ** alpha
    err = (w[rows] * w_ctx[cols]).sum(-1) + b[rows] + b_ctx[cols] - torch.log(x)
    g = 2 * fx * err
    g_w = torch.zeros_like(w).index_add_(0, rows, g[:, None] * w[rows])
    g_w_ctx = torch.zeros_like(w_ctx).index_add_(0, cols, g[:, None] * w[rows])
    g_b = torch.zeros_like(b).index_add_(0, rows, g)
    g_b_ctx = torch.zeros_like(b_ctx).index_add_(0, cols, g)
    return (fx * err * err).sum(), g_w, g_w_ctx, g_b, g_b_ctx
