"""A deliberately wrong solution: the mask removes the largest weights, quantization
truncates instead of rounding, and the distillation term lacks its T^2 factor."""

import torch
import torch.nn.functional as F


def magnitude_mask(weight, sparsity):
    k = round(sparsity * weight.numel())
    mask = torch.ones_like(weight)
    if k > 0:
        idx = torch.topk(weight.abs().flatten(), k, largest=True).indices  # bug: largest
        mask.view(-1)[idx] = 0
    return mask


def quantize_int8(w):
    s = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127
    q = (w / s).clamp(-127, 127).to(torch.int8)  # bug: truncates toward zero
    return q, s.float()


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    log_p_s = F.log_softmax(student_logits / T, dim=-1)
    p_t = F.softmax(teacher_logits / T, dim=-1)
    kl = F.kl_div(log_p_s, p_t, reduction="batchmean")  # bug: no T^2 factor
    return alpha * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
