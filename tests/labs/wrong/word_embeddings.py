"""A deliberately wrong solution: the negative-sample gradient has the positive pair's form,
GloVe's gradient forgets the factor 2 and the weight f(x), and n-grams lack "<" and ">"."""

import torch


def sgns_grads(w_in, w_out, centers, contexts, negatives):
    v, u, n = w_in[centers], w_out[contexts], w_out[negatives]
    sp = torch.sigmoid((v * u).sum(-1))
    sn = torch.sigmoid(torch.einsum("bd,bkd->bk", v, n))
    b = centers.shape[0]
    loss = -(torch.log(sp) + torch.log1p(-sn).sum(-1)).mean()
    gp, gn = (sp - 1) / b, (sn - 1) / b  # wrong: negatives are pushed like positives
    g_in = torch.zeros_like(w_in).index_add_(0, centers, gp[:, None] * u
                                             + torch.einsum("bk,bkd->bd", gn, n))
    g_out = torch.zeros_like(w_out).index_add_(0, contexts, gp[:, None] * v)
    g_out.index_add_(0, negatives.reshape(-1),
                     (gn[..., None] * v[:, None, :]).reshape(-1, v.shape[1]))
    return loss, g_in, g_out


def glove_grads(w, w_ctx, b, b_ctx, rows, cols, x, x_max=10.0, alpha=0.75):
    fx = torch.clamp(x / x_max, max=1.0) ** alpha
    err = (w[rows] * w_ctx[cols]).sum(-1) + b[rows] + b_ctx[cols] - torch.log(x)
    g = err  # wrong: missing 2 * f(x)
    g_w = torch.zeros_like(w).index_add_(0, rows, g[:, None] * w_ctx[cols])
    g_w_ctx = torch.zeros_like(w_ctx).index_add_(0, cols, g[:, None] * w[rows])
    g_b = torch.zeros_like(b).index_add_(0, rows, g)
    g_b_ctx = torch.zeros_like(b_ctx).index_add_(0, cols, g)
    return (fx * err * err).sum(), g_w, g_w_ctx, g_b, g_b_ctx


def char_ngrams(word, min_n=3, max_n=5):
    return [word[i:i + n] for n in range(min_n, min(len(word), max_n) + 1)
            for i in range(len(word) - n + 1)]  # wrong: no "<" ">" word boundaries
