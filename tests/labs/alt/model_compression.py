"""Another idiom: a magnitude threshold from torch.kthvalue, per-row quantization written with
torch.quantize_per_channel's formula by hand in float32, and the distillation loss through
nn.KLDivLoss(log_target=True) and nn.CrossEntropyLoss."""

import torch
from torch import nn


def magnitude_mask(weight, sparsity):
    k = round(sparsity * weight.numel())
    if k == 0:
        return torch.ones_like(weight)
    flat = weight.detach().abs().flatten()
    order = torch.argsort(flat, stable=True)  # ties broken by position
    mask = torch.ones(weight.numel(), dtype=weight.dtype, device=weight.device)
    mask[order[:k]] = 0
    return mask.view_as(weight)


def quantize_int8(w):
    scale = torch.stack([row.abs().max() for row in w]).clamp(min=1e-12) / 127.0
    scale = scale.unsqueeze(1).to(torch.float32)
    q = torch.clamp(torch.round(w / scale), -127, 127).to(torch.int8)
    return q, scale


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    kl = nn.KLDivLoss(reduction="batchmean", log_target=True)(
        torch.log_softmax(student_logits / T, dim=1), torch.log_softmax(teacher_logits / T, dim=1))
    return alpha * (T ** 2) * kl + (1.0 - alpha) * nn.CrossEntropyLoss()(student_logits, labels)
