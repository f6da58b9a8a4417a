"""Another idiom: softmax over the top-k logits, one-hot counts, and MegaBlocks-style
sort-and-split dispatch (stable argsort by expert, then torch.split into per-expert groups)."""

import torch
import torch.nn.functional as F


def top_k_route(logits, k):
    vals, idx = torch.topk(logits, k, dim=-1)  # logits sort like their probabilities
    return F.softmax(vals, dim=-1), idx


def load_balancing_loss(logits, k):
    num_experts = logits.shape[-1]
    probs = logits.softmax(dim=-1)
    routed = F.one_hot(torch.topk(logits, k, dim=-1).indices, num_experts).sum(1).float()
    return num_experts * torch.sum(routed.mean(0) * probs.mean(0))


def apply_capacity(experts, num_experts, capacity):
    n, k = experts.shape
    flat = experts.t().reshape(-1)  # choice-major: all first choices, then all second
    order = torch.argsort(flat, stable=True)
    counts = torch.bincount(flat, minlength=num_experts)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.arange(flat.numel()) - starts[flat[order]]  # place in the expert's queue
    keep = torch.empty(flat.numel(), dtype=torch.bool)
    keep[order] = rank < capacity
    return keep.view(k, n).t()


def moe_forward(x, router_weight, experts, k, capacity=None):
    w, e = top_k_route(F.linear(x, router_weight), k)
    keep = (torch.ones_like(e, dtype=torch.bool) if capacity is None
            else apply_capacity(e, len(experts), capacity)).reshape(-1)
    tok = torch.arange(x.shape[0]).repeat_interleave(k)[keep]
    flat_e, flat_w = e.reshape(-1)[keep], w.reshape(-1)[keep]
    order = flat_e.argsort(stable=True)
    counts = torch.bincount(flat_e, minlength=len(experts)).tolist()
    y = torch.zeros_like(x)
    groups = zip(tok[order].split(counts), flat_w[order].split(counts), strict=True)
    for expert, (t, gate) in zip(experts, groups, strict=True):
        if len(t):
            y.index_add_(0, t, gate[:, None] * expert(x[t]))
    return y
