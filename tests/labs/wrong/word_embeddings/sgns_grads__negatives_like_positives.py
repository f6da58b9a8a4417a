"""Bug: the negatives' gradient has the positive pair's form (sigma - 1), so
negatives are pulled closer instead of pushed away."""

import torch


def sgns_grads(w_in, w_out, centers, contexts, negatives):
    v, u, n = w_in[centers], w_out[contexts], w_out[negatives]
    sp = torch.sigmoid((v * u).sum(-1))
    sn = torch.sigmoid(torch.einsum("bd,bkd->bk", v, n))
    b = centers.shape[0]
    loss = -(torch.log(sp) + torch.log1p(-sn).sum(-1)).mean()
    gp, gn = (sp - 1) / b, (sn - 1) / b
    g_in = torch.zeros_like(w_in).index_add_(0, centers, gp[:, None] * u
                                             + torch.einsum("bk,bkd->bd", gn, n))
    g_out = torch.zeros_like(w_out).index_add_(0, contexts, gp[:, None] * v)
    g_out.index_add_(0, negatives.reshape(-1),
                     (gn[..., None] * v[:, None, :]).reshape(-1, v.shape[1]))
    return loss, g_in, g_out
