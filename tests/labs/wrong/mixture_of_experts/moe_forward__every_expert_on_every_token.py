"""Bug: runs every expert on every token and masks the results: right numbers, but E / k times
the compute, which is what a mixture of experts exists to avoid."""

import torch
from mixture_of_experts import capacity_oracle


def moe_forward(x, router_weight, experts, k, capacity=None):
    top, chosen = torch.softmax(x @ router_weight.T, dim=-1).topk(k, dim=-1)
    weights = top / top.sum(dim=-1, keepdim=True)
    keep = (torch.ones_like(chosen, dtype=torch.bool) if capacity is None
            else capacity_oracle(chosen, len(experts), capacity))
    all_out = torch.stack([expert(x) for expert in experts], dim=1)  # (N, E, d)
    picked = all_out.gather(1, chosen[..., None].expand(-1, -1, x.shape[1]))  # (N, k, d)
    return ((weights * keep)[..., None] * picked).sum(dim=1)
