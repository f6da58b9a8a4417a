"""Another idiom (CS224n assignment style): F.logsigmoid for the loss, gradients as
outer products accumulated with index_put_(accumulate=True), GloVe's weight with
torch.where, and n-grams from a nested loop over start positions per length."""

import torch
import torch.nn.functional as F


def sgns_grads(w_in, w_out, centers, contexts, negatives):
    batch = centers.numel()
    v = w_in.index_select(0, centers)  # (B, d)
    u = w_out.index_select(0, contexts)  # (B, d)
    n = w_out[negatives]  # (B, K, d)
    pos = torch.bmm(u.unsqueeze(1), v.unsqueeze(2)).view(-1)  # (B,)
    neg = torch.bmm(n, v.unsqueeze(2)).squeeze(2)  # (B, K)
    loss = -(F.logsigmoid(pos).sum() + F.logsigmoid(-neg).sum()) / batch
    d_pos = -torch.sigmoid(-pos) / batch  # d loss / d pos
    d_neg = torch.sigmoid(neg) / batch  # d loss / d neg
    g_v = d_pos.unsqueeze(1) * u + (d_neg.unsqueeze(2) * n).sum(1)
    g_in = torch.zeros_like(w_in)
    g_in.index_put_((centers,), g_v, accumulate=True)
    g_out = torch.zeros_like(w_out)
    g_out.index_put_((contexts,), d_pos.unsqueeze(1) * v, accumulate=True)
    g_out.index_put_((negatives.flatten(),),
                     (d_neg.unsqueeze(2) * v.unsqueeze(1)).flatten(0, 1), accumulate=True)
    return loss, g_in, g_out


def glove_grads(w, w_ctx, b, b_ctx, rows, cols, x, x_max=10.0, alpha=0.75):
    weight = torch.where(x < x_max, (x / x_max).pow(alpha), torch.ones_like(x))
    diff = torch.einsum("nd,nd->n", w[rows], w_ctx[cols]) + b[rows] + b_ctx[cols] - x.log()
    loss = torch.dot(weight, diff.square())
    coef = 2.0 * weight * diff
    g_w = torch.zeros_like(w).index_put_((rows,), coef[:, None] * w_ctx[cols], accumulate=True)
    g_wc = torch.zeros_like(w_ctx).index_put_((cols,), coef[:, None] * w[rows], accumulate=True)
    g_b = torch.zeros_like(b).index_put_((rows,), coef, accumulate=True)
    g_bc = torch.zeros_like(b_ctx).index_put_((cols,), coef, accumulate=True)
    return loss, g_w, g_wc, g_b, g_bc


def char_ngrams(word, min_n=3, max_n=5):
    padded = "<" + word + ">"
    out = []
    for n in range(min_n, max_n + 1):
        if n > len(padded):
            break
        for start in range(0, len(padded) - n + 1):
            out.append(padded[start:start + n])
    return out
